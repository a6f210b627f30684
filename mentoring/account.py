"""The person's own account pages that change who they are (F12): password change and reset,
and the sign-in address (a pending change to confirm or cancel).

Thin views over `people.accounts`: every change is made and logged there.
"""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.refusals import show_refusal
from people.accounts import (
    account_address_change_cancel,
    account_address_change_confirm,
    account_password_reset_ask,
    account_password_set,
    address_change_for_token,
    address_change_pending,
)
from people.forms import PasswordResetForm
from people.models import AddressChange


class PasswordChangeView(auth_views.PasswordChangeView):
    """The signed-in person changes their own password; the change is logged and told."""

    def form_valid(self, form):
        account_password_set(
            user=form.user, by=self.request.user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetView(auth_views.PasswordResetView):
    """The "Forgot your password?" page: the same answer after the same work, whether or
    not the address is an account's; no e-mail is sent from here (people.accounts)."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        account_password_reset_ask(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link from the reset e-mail: the person chooses their password; logged and told."""

    def form_valid(self, form):
        account_password_set(
            user=form.user, by=form.user, password=form.cleaned_data["new_password1"]
        )
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


def admin_password_change(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin's own "change password" page: the site's, which logs the change."""
    return redirect("password_change")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def address(request: HttpRequest) -> HttpResponse:
    """The person's sign-in address and a new one waiting for confirmation, which they may
    cancel here."""
    if request.method == "POST":
        if account_address_change_cancel(user=request.user):
            messages.success(request, "The change is cancelled: your sign-in address stays.")
        else:
            messages.info(request, "No new address was waiting.")
        return redirect("account_address")
    return render(
        request, "account/address.html", {"pending": address_change_pending(user=request.user)}
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def address_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to a new address, opened by the person signed in with their current
    one. Anything but their own pending change is a 404."""
    try:
        change = address_change_for_token(user=request.user, token=token)
    except AddressChange.DoesNotExist:
        raise Http404("No such change.") from None
    if request.method == "POST":
        try:
            account_address_change_confirm(user=request.user, token=token)
        except AddressChange.DoesNotExist:
            raise Http404("No such change.") from None
        except ValidationError as refusal:
            show_refusal(request, refusal)
            return redirect("account_address")
        messages.success(request, f"You now sign in with {change.new_email}.")
        return redirect("account_address")
    return render(request, "account/address_confirm.html", {"change": change})
