// The incident board follows the server's events: each `board` event carries the board's new HTML
// (rendered and escaped by the server), which replaces the figures in place.
(function () {
  var board = document.getElementById("board");
  if (!board || !window.EventSource) { return; }
  var events = new EventSource(board.getAttribute("data-events"));
  events.addEventListener("board", function (e) {
    board.innerHTML = e.data;
    board.setAttribute("data-updates", String(Number(board.getAttribute("data-updates") || "0") + 1));
  });
})();
