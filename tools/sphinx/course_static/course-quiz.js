/* The chapter quizzes of the book: each question is checked in the page, with no kernel and
 * no network. A question is a <fieldset class="course-quiz-question"> whose data-type is
 * "choice" (data-answer: index of the right option) or "number" (data-answer, data-tol). */
(function () {
  "use strict";

  function parseNumber(text) {
    var cleaned = String(text).trim().replace(/\u2212/g, "-").replace(/,/g, "");
    if (cleaned === "" || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cleaned)) {
      return null;
    }
    return Number(cleaned);
  }

  function judge(question) {
    if (question.dataset.type === "number") {
      var input = question.querySelector("input[type=text]");
      var value = parseNumber(input ? input.value : "");
      if (value === null) {
        return ["invalid", "Type a number, for example 0.25."];
      }
      var tol = Number(question.dataset.tol || 0);
      return Math.abs(value - Number(question.dataset.answer)) <= tol ? ["right"] : ["wrong"];
    }
    var chosen = question.querySelector("input[type=radio]:checked");
    if (!chosen) {
      return ["invalid", "Choose one of the options first."];
    }
    return chosen.value === question.dataset.answer ? ["right"] : ["wrong"];
  }

  function check(question) {
    var verdict = judge(question);
    var feedback = question.querySelector(".course-quiz-feedback");
    var explanation = question.querySelector(".course-quiz-explanation");
    question.dataset.status = verdict[0];
    if (verdict[0] === "right") {
      feedback.textContent = "\u2713 Right.";
      explanation.hidden = false;
    } else if (verdict[0] === "wrong") {
      feedback.textContent = "\u2717 Not quite: read the question again and try once more.";
      explanation.hidden = true;
    } else {
      feedback.textContent = verdict[1];
      explanation.hidden = true;
    }
  }

  function setup() {
    var questions = document.querySelectorAll(".course-quiz-question");
    Array.prototype.forEach.call(questions, function (question) {
      var button = question.querySelector(".course-quiz-check");
      if (button) {
        button.addEventListener("click", function () { check(question); });
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
