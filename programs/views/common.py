"""What the program views share: the signed-in employee, or a 404."""

from django.http import Http404, HttpRequest

from people.selectors import employee_for_user


def _employee_or_404(request: HttpRequest):
    employee = employee_for_user(user=request.user)
    if employee is None:
        raise Http404("Only employees take part in programs")
    return employee
