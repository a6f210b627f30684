"""The admin site of the project: Django's, with the sidebar's list of models built faster.

Every page of the admin lists, in its sidebar, every model the person may open
(`AdminSite.get_app_list`): for each of the 17 registered models Django asks the model's
admin for five permissions and reverses two addresses, and each app's address once more,
at every request: 1.4 ms of the access log's 15 (issue K). The addresses, names and labels
never change while the process runs (for a given URLconf and script prefix): they are
worked out once and kept here. The permissions, which can change from one request to the
next (a revoked role applies at once), are asked at every request, of the model's own
admin, as Django asks them. A test holds the list equal to Django's for every kind of
account.
"""

from __future__ import annotations

from typing import NamedTuple

from django.apps import apps
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.text import capfirst


class _Entry(NamedTuple):
    """What the app list shows of a registered model that does not depend on who asks."""

    model: type
    model_admin: object
    app_label: str
    name: object  # the verbose name plural, capitalised (lazy: translated when shown)
    object_name: str
    changelist_url: str | None
    add_url: str | None


class _App(NamedTuple):
    name: object
    url: str


def _reversed(name: str, current_app: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None, current_app=current_app)
    except NoReverseMatch:
        return None


class MentoringAdminSite(AdminSite):
    """`admin.site` (mentoring.admin_config makes it the default site)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._entries_cache: dict[tuple, tuple[list[_Entry], dict[str, _App]]] = {}

    def _entries(self) -> tuple[list[_Entry], dict[str, _App]]:
        # Keyed on what the addresses depend on (the URLconf in use, the script prefix) and
        # on the registry itself (an admin registered or replaced, as tests do).
        key = (get_urlconf(), get_script_prefix(), tuple(self._registry.items()))
        found = self._entries_cache.get(key)
        if found is None:
            if len(self._entries_cache) >= 16:  # URLconfs and registries seen: a few
                self._entries_cache.clear()
            found = self._entries_cache[key] = self._work_out_entries()
        return found

    def _work_out_entries(self) -> tuple[list[_Entry], dict[str, _App]]:
        entries, app_of = [], {}
        for model, model_admin in self._registry.items():
            app_label, model_name = model._meta.app_label, model._meta.model_name
            entries.append(
                _Entry(
                    model=model,
                    model_admin=model_admin,
                    app_label=app_label,
                    name=capfirst(model._meta.verbose_name_plural),
                    object_name=model._meta.object_name,
                    changelist_url=_reversed(
                        f"admin:{app_label}_{model_name}_changelist", self.name
                    ),
                    add_url=_reversed(f"admin:{app_label}_{model_name}_add", self.name),
                )
            )
            if app_label not in app_of:
                app_of[app_label] = _App(
                    name=apps.get_app_config(app_label).verbose_name,
                    url=reverse(
                        "admin:app_list", kwargs={"app_label": app_label}, current_app=self.name
                    ),
                )
        return entries, app_of

    def _build_app_dict(self, request, label=None):
        """Django's `AdminSite._build_app_dict`, the same dictionaries in the same order, the
        addresses and names read from `_entries`."""
        entries, app_of = self._entries()
        app_dict: dict[str, dict] = {}
        for entry in entries:
            if label and entry.app_label != label:
                continue
            model_admin = entry.model_admin
            has_module_perms = model_admin.has_module_permission(request)
            if not has_module_perms:
                continue
            perms = model_admin.get_model_perms(request)
            if True not in perms.values():
                continue
            model_dict = {
                "model": entry.model,
                "name": entry.name,
                "object_name": entry.object_name,
                "perms": perms,
                "admin_url": None,
                "add_url": None,
            }
            if perms.get("change") or perms.get("view"):
                model_dict["view_only"] = not perms.get("change")
                model_dict["admin_url"] = entry.changelist_url
            if perms.get("add"):
                model_dict["add_url"] = entry.add_url
            if entry.app_label in app_dict:
                app_dict[entry.app_label]["models"].append(model_dict)
            else:
                app = app_of[entry.app_label]
                app_dict[entry.app_label] = {
                    "name": app.name,
                    "app_label": entry.app_label,
                    "app_url": app.url,
                    "has_module_perms": has_module_perms,
                    "models": [model_dict],
                }
        return app_dict


class MentoringAdminConfig(AdminConfig):
    """django.contrib.admin, with `MentoringAdminSite` as `admin.site`."""

    default_site = "mentoring.admin_site.MentoringAdminSite"
