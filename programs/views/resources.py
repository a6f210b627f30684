"""Views of program resources: publishing and downloading."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from core.pages import paginate
from core.refusals import add_service_errors
from programs import selectors, services
from programs.forms import (
    ResourceForm,
)


@require_safe
def resource_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programs/resource_list.html",
        {
            "page": paginate(request, selectors.resource_list_for(user=request.user)),
            "can_publish_global": request.user.has_perm("programs.add_resource"),
        },
    )


@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug) if slug else None
    if program is None and not request.user.has_perm("programs.add_resource"):
        raise PermissionDenied
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_publish(
                by=request.user,
                program=program,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                file=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The resource is published.")
            if program:
                return redirect("programs:manage", slug=program.slug)
            return redirect("programs:resources")
    return render(request, "programs/resource_form.html", {"form": form, "program": program})


@require_safe
def resource_download(request: HttpRequest, pk: int) -> FileResponse:
    resource = selectors.resource_get_for(user=request.user, pk=pk)
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    services.resource_count_download(resource=resource)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=resource.original_name,
        content_type=resource.content_type,
    )
