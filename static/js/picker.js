/*
 * The people picker's combobox (people/forms.py PersonInput; WAI-ARIA 1.2 combobox with a
 * listbox popup). Without this file the box is a plain text field the server resolves on
 * submit. With it: htmx fills the listbox as one types; this file gives the box its
 * combobox role and states, and the keys: Down and Up move through the people found
 * (aria-activedescendant), Enter chooses, Escape closes the list (or clears the box).
 * Choosing puts the person's id in the hidden field with the name it was chosen as.
 * A file, not inline script: the content security policy allows scripts from 'self' only.
 */
(function () {
  "use strict";

  function setUp(input) {
    if (input.dataset.pickerReady) {
      return;
    }
    input.dataset.pickerReady = "1";
    var root = input.closest("[data-picker]");
    var list = document.getElementById(input.dataset.listbox);
    // The live region is made at once, long before anything is found, so that what the
    // search later writes into it is announced.
    var status = document.getElementById(input.dataset.status);
    if (!status) {
      status = document.createElement("div");
      status.id = input.dataset.status;
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      root.appendChild(status);
    }
    var idField = root.querySelector("[data-picker-id]");
    var forField = root.querySelector("[data-picker-for]");
    var active = -1;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll('[role="option"]'));
    }

    function setActive(index) {
      var all = options();
      all.forEach(function (option, n) {
        var on = n === index;
        option.setAttribute("aria-selected", on ? "true" : "false");
        option.classList.toggle("picker__option--active", on);
      });
      active = index;
      if (index >= 0 && all[index]) {
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function open() {
      if (options().length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function close() {
      setActive(-1);
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function choose(option) {
      var label = option.dataset.label;
      input.value = label;
      idField.value = option.dataset.id;
      forField.value = label;
      close();
      status.textContent = label + " chosen.";
      var which = root.querySelector("[data-picker-which]");
      if (which) {
        which.remove();
      }
    }

    input.addEventListener("keydown", function (event) {
      var all = options();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!all.length) {
          return;
        }
        event.preventDefault();
        open();
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = active + step;
        if (next >= all.length) {
          next = 0;
        } else if (next < 0) {
          next = all.length - 1;
        }
        setActive(next);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && all[active]) {
          event.preventDefault();
          choose(all[active]);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          idField.value = "";
        }
      }
    });

    input.addEventListener("input", function () {
      idField.value = "";
    });

    input.addEventListener("blur", function () {
      close();
    });

    // Keep the focus in the box when an option is clicked, then choose it.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]');
      if (option) {
        choose(option);
      }
    });

    // htmx swapped in the people found for what was typed.
    document.addEventListener("htmx:afterSwap", function (event) {
      if (!event.detail || event.detail.target !== list) {
        return;
      }
      setActive(-1);
      if (options().length && document.activeElement === input) {
        open();
      } else {
        close();
      }
    });
  }

  function setUpAll(element) {
    var scope = element || document;
    var inputs = scope.querySelectorAll("[data-picker-input]");
    Array.prototype.forEach.call(inputs, setUp);
  }

  setUpAll(document);
  document.addEventListener("htmx:load", function (event) {
    setUpAll(event.target);
  });
})();
