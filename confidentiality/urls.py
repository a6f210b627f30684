"""URLs of the agreement and the notes."""

from django.urls import path

from confidentiality import views

app_name = "confidentiality"

urlpatterns = [
    path("agreements/<id:pk>/", views.agreement, name="agreement"),
    path("agreements/<id:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("agreements/<id:pk>/rules/", views.agreement_rules, name="agreement_rules"),
    path("agreements/<id:pk>/themes/", views.theme_add, name="theme_add"),
    path(
        "agreements/<id:pk>/themes/<id:theme_id>/withdraw/",
        views.theme_withdraw,
        name="theme_withdraw",
    ),
    path("shared/manager/", views.shared_manager, name="shared_manager"),
    path("shared/leadership/", views.shared_leadership, name="shared_leadership"),
    path("pairings/<id:pk>/notes/", views.notes, name="notes"),
    path("notes/<id:pk>/", views.note_detail, name="note"),
    path("notes/<id:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<id:pk>/share/", views.note_share, name="note_share"),
    path("notes/<id:pk>/delete/", views.note_delete, name="note_delete"),
]
