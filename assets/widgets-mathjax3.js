/* ipywidgets 8 typesets widget labels through the MathJax 2 API (MathJax.Hub.Queue), but the
   book serves MathJax 3, which has no Hub: every labelled widget would throw "Cannot read
   properties of undefined (reading 'Queue')". This gives whatever window.MathJax is (the
   configuration object first, MathJax 3 itself once loaded) a Hub.Queue that hands the element
   to MathJax 3's typesetPromise when it is ready. Loaded before the widget scripts. */
(function () {
  "use strict";
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset" && window.MathJax && window.MathJax.typesetPromise) {
          window.MathJax.typesetPromise(job[2] ? [job[2]] : undefined).catch(function () {});
        }
      }
    }
  };
  var current;
  function withHub(value) {
    if (value && typeof value === "object" && !("Hub" in value)) {
      Object.defineProperty(value, "Hub", { value: hub, enumerable: false, configurable: true });
    }
    return value;
  }
  current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); }
  });
})();
