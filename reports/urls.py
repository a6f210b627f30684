"""URLs of the reports: dashboard, exports, HR overview."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/participants.csv", views.export_participants, name="export_participants"),
    path("<slug:slug>/meetings.csv", views.export_meetings, name="export_meetings"),
    path("<slug:slug>/figures.csv", views.export_figures, name="export_figures"),
]
