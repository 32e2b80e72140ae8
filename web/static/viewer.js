// Progressive enhancement of the page viewer: a thumbnail shows its page without reloading.
// Without JavaScript the thumbnails are plain links (?page=N) and everything still works.
document.querySelectorAll(".thumbs a[data-page]").forEach(function (link) {
  link.addEventListener("click", function (event) {
    var wanted = link.getAttribute("data-page");
    var pages = document.querySelectorAll(".viewer .page");
    if (!pages.length) return;
    event.preventDefault();
    pages.forEach(function (page) { page.hidden = page.getAttribute("data-page") !== wanted; });
    document.querySelectorAll(".thumbs li").forEach(function (li) { li.classList.remove("current"); });
    link.parentElement.classList.add("current");
    history.replaceState(null, "", link.getAttribute("href"));
  });
});
