from django.urls import path

from confidentiality import views

app_name = "confidentiality"

urlpatterns = [
    path("agreements/<int:pk>/", views.agreement, name="agreement"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/rules/", views.agreement_rules, name="agreement_rules"),
    path("agreements/<int:pk>/themes/", views.theme_add, name="theme_add"),
    path(
        "agreements/<int:pk>/themes/<int:theme_id>/withdraw/",
        views.theme_withdraw,
        name="theme_withdraw",
    ),
    path("pairings/<int:pk>/notes/", views.notes, name="notes"),
    path("notes/<int:pk>/", views.note_detail, name="note"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/share/", views.note_share, name="note_share"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
]
