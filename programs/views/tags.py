"""Views of a program's tags."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import paginate
from core.refusals import add_service_errors
from programs import selectors, services
from programs.forms import (
    TagForm,
)


@require_http_methods(["GET", "POST"])
def tag_list(request: HttpRequest) -> HttpResponse:
    if not selectors.is_any_coordinator(user=request.user):
        raise PermissionDenied
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = services.tag_create(by=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The tag '{tag.name}' was added.")
            return redirect("programs:tags")
    return render(
        request,
        "programs/tag_list.html",
        {"form": form, "page": paginate(request, selectors.tag_list(), size=100)},
    )


@require_POST
def tag_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.is_any_coordinator(user=request.user):
        raise PermissionDenied
    tag = selectors.tag_get(pk=pk)
    services.tag_delete(by=request.user, tag=tag)
    messages.success(request, f"The tag '{tag.name}' was removed.")
    return redirect("programs:tags")
