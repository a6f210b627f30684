from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("new/", views.review_create, name="create"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/dossier/", views.dossier, name="dossier"),
    path("<int:pk>/recusals/", views.recusal_list, name="recusals"),
    path("<int:pk>/panel/", views.seat_add, name="seat_add"),
    path("<int:pk>/panel/<int:seat_id>/remove/", views.seat_remove, name="seat_remove"),
    path("<int:pk>/status/", views.review_transition, name="transition"),
    path("<int:pk>/outcome/", views.outcome, name="outcome"),
]
