"""The admins that installed packages register (auth's groups, axes' sign-in attempts), made
metadata-only like every admin of the project (F13, people/admin_base.py). This module is
imported after theirs: `mentoring` comes after `django.contrib.auth` and `axes` in
INSTALLED_APPS, and Django imports the admin modules in that order.

Guardian registers no admin, and none here is a GuardedModelAdmin: object permissions (who
coordinates, who sits on a committee, who reads a note) are given by the services only.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group

from people.admin_base import AutocompleteView, MetadataOnlyAdmin, ReadOnlyAdmin

# The admin's autocomplete answers only for the pickers its forms offer, lists only who may be
# chosen and labels people so that namesakes differ (people/admin_base.py). The site's URL
# ("admin:autocomplete") reads this attribute when the admin's URLs are built.
admin.site.autocomplete_view = AutocompleteView.as_view(admin_site=admin.site)


class RoleGroupAdmin(ReadOnlyAdmin, GroupAdmin):
    """The role groups are declared in people/roles.py and set again at every migrate; their
    permissions are what a whole role may do. Changing them here (adding "add program" to a
    group one belongs to) would be a grant to oneself: they are read only, for everyone."""


class SignInAttemptAdmin(MetadataOnlyAdmin, AccessAttemptAdmin):
    ordering = ("-attempt_time",)


class SignInLogAdmin(MetadataOnlyAdmin, AccessLogAdmin):
    ordering = ("-attempt_time",)


class SignInFailureAdmin(MetadataOnlyAdmin, AccessFailureLogAdmin):
    ordering = ("-attempt_time",)


for model, model_admin in [
    (Group, RoleGroupAdmin),
    (AccessAttempt, SignInAttemptAdmin),
    (AccessLog, SignInLogAdmin),
    (AccessFailureLog, SignInFailureAdmin),
]:
    # axes registers its admins only when AXES_ENABLE_ADMIN is on: keep to what is there.
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
