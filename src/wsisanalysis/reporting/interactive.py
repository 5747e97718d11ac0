"""Long tables a reader can use offline: sort by a column, search, download the table as CSV.

A few kilobytes of plain JavaScript written into the page beside each long table, instead of a
table library: itables' offline bundle (DataTables and jQuery) is 620 KB, which would put the
pages without charts over their 300 KB budget and the map pages over 5 MB. The table itself is
the escaped HTML :func:`~wsisanalysis.reporting.tables.html_table` writes; the script only
reorders, hides and reads its rows (``textContent``, never ``innerHTML``), so text in the data
stays text. The download holds every published row (search does not filter it) with each cell's
``data-v`` value: the shown value at the shown precision without thousands separators,
"suppressed" for hidden cells, and text that a spreadsheet would run as a formula prefixed with
an apostrophe.
"""

from __future__ import annotations

import html
import re

STYLE = """<style>
.wsis-tools{display:flex;gap:1em;align-items:center;margin:.4em 0}
.wsis-scroll{max-height:34em;overflow:auto;border:1px solid #ddd}
.wsis-interactive th{position:sticky;top:0;background:#f4f4f4;cursor:pointer}
.wsis-interactive th[aria-sort=ascending]::after{content:" ▲"}
.wsis-interactive th[aria-sort=descending]::after{content:" ▼"}
@media print{.wsis-tools{display:none}.wsis-scroll{max-height:none;overflow:visible;border:0}}
</style>"""

SCRIPT = r"""<script>(function(){
if(!window.wsisTable){window.wsisTable=function(box){
 var table=box.querySelector("table"),body=table.tBodies[0],heads=table.tHead.rows[0].cells;
 var rows=Array.prototype.slice.call(body.rows),count=box.querySelector(".wsis-count");
 var val=function(c){return c.hasAttribute("data-v")?c.getAttribute("data-v"):c.textContent;};
 var num=function(t){var s=t.replace(/,/g,"").replace(/%$/,"");return s!==""&&isFinite(s)?parseFloat(s):null;};
 var key=function(t){return t===""||t==="suppressed"||t==="\u2013";};
 var shown=function(){var n=rows.filter(function(r){return !r.hidden;}).length;
  count.textContent=n===rows.length?rows.length+" rows":n+" of "+rows.length+" rows";};
 Array.prototype.forEach.call(heads,function(th,i){th.tabIndex=0;th.title="Sort by this column";
  var sort=function(){var up=th.getAttribute("aria-sort")!=="ascending";
   Array.prototype.forEach.call(heads,function(h){h.removeAttribute("aria-sort");});
   th.setAttribute("aria-sort",up?"ascending":"descending");
   rows.sort(function(a,b){var x=val(a.cells[i]),y=val(b.cells[i]);
    if(key(x)||key(y))return key(x)-key(y);
    var p=num(x),q=num(y),d=(p!==null&&q!==null)?p-q:x.localeCompare(y);return up?d:-d;});
   rows.forEach(function(r){body.appendChild(r);});};
  th.addEventListener("click",sort);
  th.addEventListener("keydown",function(e){if(e.key==="Enter"||e.key===" "){e.preventDefault();sort();}});});
 box.querySelector("input").addEventListener("input",function(e){var q=e.target.value.toLowerCase();
  rows.forEach(function(r){r.hidden=q!==""&&r.textContent.toLowerCase().indexOf(q)<0;});shown();});
 box.querySelector("button").addEventListener("click",function(){
  var cell=function(t){if(/^[=+\-@\t\r]/.test(t)&&num(t)===null)t="'"+t;
   return /[",\n\r]/.test(t)?'"'+t.replace(/"/g,'""')+'"':t;};
  var lines=[Array.prototype.map.call(heads,function(h){return cell(h.textContent);}).join(",")];
  Array.prototype.slice.call(body.rows).forEach(function(r){
   lines.push(Array.prototype.map.call(r.cells,function(c){return cell(val(c));}).join(","));});
  var a=document.createElement("a");
  a.href=URL.createObjectURL(new Blob(["\ufeff"+lines.join("\r\n")+"\r\n"],{type:"text/csv"}));
  a.download=box.getAttribute("data-name")+".csv";document.body.appendChild(a);a.click();a.remove();});
 shown();box.setAttribute("data-ready","1");};}
Array.prototype.forEach.call(document.querySelectorAll(".wsis-interactive:not([data-ready])"),window.wsisTable);
})();</script>"""


def file_name(caption: str) -> str:
    """A download's file name from the table's caption: ``"ICANN regions"`` → ``icann-regions``."""
    slug = re.sub(r"[^a-z0-9]+", "-", caption.lower()).strip("-")
    return slug[:60].rstrip("-") or "table"


def interactive_table(table: str, caption: str) -> str:
    """Wrap an escaped HTML ``<table>`` with a search box, a CSV button, sorting headers."""
    name = html.escape(file_name(caption), quote=True)
    tools = (
        '<div class="wsis-tools"><label>Search the table <input type="search"></label>'
        '<button type="button">Download CSV</button><span class="wsis-count"></span></div>'
    )
    return (
        f'{STYLE}<div class="wsis-interactive" data-name="{name}">{tools}'
        f'<div class="wsis-scroll">{table}</div></div>{SCRIPT}'
    )
