"use strict";
// The admin's people pickers (Django's own select2 autocomplete, admin/js/autocomplete.js),
// made to pass WCAG 2.2 AA and to follow the combobox pattern: select2 4.0.13 leaves its
// search boxes and the box of an empty single choice without a name (axe: "label",
// "aria-input-field-name"), so each is named after its field's label; and
// the people it finds on the server come without ids, so a screen reader is never told which
// one is highlighted (aria-activedescendant): each gets an id, and the search box points at
// the highlighted one. Loaded after autocomplete.js (the widgets' media,
// people/admin_base.py), so this runs once select2 is in place.
{
    const $ = django.jQuery;
    let optionCount = 0;

    const fieldLabel = (select) =>
        (select.id && document.querySelector(`label[for="${select.id}"]`)) || null;

    const nameSearchBoxes = (select) => {
        const select2 = $(select).data("select2");
        const label = fieldLabel(select);
        if (!select2 || !label) {
            return;
        }
        const name = label.textContent.replace(/:\s*$/, "").trim();
        // The inline box of a multiple choice, and the box of a single choice's drop-down.
        select2.$container.find(".select2-search__field").attr("aria-label", name);
        select2.$dropdown.find(".select2-search__field").attr("aria-label", name);
        // The combobox is named by the field's label, then the person chosen (select2 names a
        // single choice's by the person alone: nothing when none is chosen yet).
        label.id = label.id || `${select.id}-label`;
        const rendered = select2.$container.find(".select2-selection__rendered").first();
        const names = [label.id];
        if (rendered.length && select2.$container.find(".select2-selection--single").length) {
            names.push(rendered.attr("id"));
            rendered.attr("aria-labelledby", names.join(" "));
        }
        select2.$container.find(".select2-selection").attr("aria-labelledby", names.join(" "));
    };

    const pointAtHighlighted = (select) => {
        const select2 = $(select).data("select2");
        if (!select2) {
            return;
        }
        // After select2's own listener, which drops the attribute for options without an id.
        select2.on("results:focus", (params) => {
            const option = params.element && params.element[0];
            if (!option) {
                return;
            }
            if (!option.id) {
                optionCount += 1;
                option.id = `${select.id}-option-${optionCount}`;
            }
            select2.$container.find(".select2-search__field").attr("aria-activedescendant", option.id);
            select2.$dropdown.find(".select2-search__field").attr("aria-activedescendant", option.id);
        });
    };

    $(function () {
        $(".admin-autocomplete")
            .not("[name*=__prefix__]")
            .each(function () {
                nameSearchBoxes(this);
                pointAtHighlighted(this);
            })
            .on("select2:open", function () {
                nameSearchBoxes(this);
            });
    });
}
