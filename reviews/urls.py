"""URLs of the review pages."""

from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("new/", views.review_create, name="create"),
    path("people/subject/", views.people_subject, name="people_subject"),
    path("<id:pk>/", views.review_detail, name="detail"),
    path("<id:pk>/dossier/", views.dossier, name="dossier"),
    path("<id:pk>/recusals/", views.recusal_list, name="recusals"),
    path("<id:pk>/panel/", views.seat_add, name="seat_add"),
    path("<id:pk>/panel/people/", views.people_panel, name="people_panel"),
    path("<id:pk>/panel/<id:seat_id>/remove/", views.seat_remove, name="seat_remove"),
    path("<id:pk>/status/", views.review_transition, name="transition"),
    path("<id:pk>/outcome/", views.outcome, name="outcome"),
]
