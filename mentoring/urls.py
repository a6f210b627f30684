"""The root URLs: each app's pages, the account pages, the admin, the health check."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mentoring import account, views
from notifications import views as messages

admin.site.site_header = "Mentoring programs: administration"
admin.site.site_title = "Mentoring administration"
admin.site.index_title = "Directory, programs and the access log"
# The admin's own "change password" is the site's page, which logs the change (F12).
admin.site.password_change = account.admin_password_change

account_patterns = [
    path("notifications/", messages.notification_settings, name="notification_settings"),
    path("calendar/", messages.calendar_settings, name="calendar_settings"),
    path("calendar/reset/", messages.calendar_reset, name="calendar_reset"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", account.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        account.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("address/", account.address, name="account_address"),
    path("address/confirm/<str:token>/", account.address_confirm, name="account_address_confirm"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("account/", include(account_patterns)),
    path("inbox/", messages.inbox, name="inbox"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("programs/", include("programs.urls")),
    path("pairings/", include("pairings.urls")),
    path("confidentiality/", include("confidentiality.urls")),
    path("reviews/", include("reviews.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_PAGES:
    urlpatterns.append(path("bench/bare/", views.bench_bare, name="bench_bare"))

handler400 = "mentoring.views.error_400"
handler403 = "mentoring.views.error_403"
handler404 = "mentoring.views.error_404"
handler500 = "mentoring.views.error_500"
