/* Phones: give every table cell its column's name, so wide tables can be read as one card per row
   (site.css stacks tables marked "stackable"). Without JavaScript the tables scroll sideways instead. */
(function () {
  "use strict";
  var tables = document.querySelectorAll("main table");
  Array.prototype.forEach.call(tables, function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head || table.classList.contains("fits-phone")) { return; }  // a narrow table reads best as a table
    var names = Array.prototype.map.call(head.cells, function (cell) { return cell.textContent.trim(); });
    var bodies = Array.prototype.slice.call(table.tBodies).concat(table.tFoot ? [table.tFoot] : []);
    bodies.forEach(function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && cell.colSpan === 1 && names[column]) { cell.setAttribute("data-label", names[column]); }
          column += cell.colSpan || 1;
        });
      });
    });
    table.classList.add("stackable");
  });
})();
