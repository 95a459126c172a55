/* Give every ipywidgets slider handle an accessible name.

   ipywidgets 8 draws a slider's handle as <div role="slider"> (noUiSlider) beside a separate
   <label class="widget-label"> that holds the description: a screen reader announces "slider, 5"
   without saying what it sets (WCAG 4.1.2; axe-core rule aria-input-field-name). As widgets are
   drawn, this names each handle after its widget's label (a range slider's two handles get
   "..., lower end" and "..., upper end"). Loaded on every page; it does nothing where no widget is. */
(function () {
  "use strict";
  var made = 0;

  function nameHandles() {
    var sliders = document.querySelectorAll(".widget-slider, .jupyter-widget-slider");
    for (var i = 0; i < sliders.length; i++) {
      var widget = sliders[i];
      var handles = widget.querySelectorAll('[role="slider"]');
      if (!handles.length || handles[0].hasAttribute("aria-label") || handles[0].hasAttribute("aria-labelledby")) {
        continue;
      }
      var label = widget.querySelector(".widget-label");
      var text = label ? label.textContent.trim() : "";
      if (handles.length === 1 && text) {
        if (!label.id) {
          made += 1;
          label.id = "widget-label-" + made;
        }
        handles[0].setAttribute("aria-labelledby", label.id);
      } else {
        for (var j = 0; j < handles.length; j++) {
          var end = handles.length === 2 ? (j === 0 ? ", lower end" : ", upper end") : "";
          handles[j].setAttribute("aria-label", (text || "Slider") + end);
        }
      }
    }
  }

  new MutationObserver(nameHandles).observe(document.documentElement, { childList: true, subtree: true });
})();
