// Small behaviours the server-rendered pages need beyond htmx.
document.addEventListener("change", (event) => {
  // Choosing another province empties the district select: its options belonged
  // to a city of the old province. htmx refills the city select itself.
  const clears = event.target.dataset && event.target.dataset.clears;
  if (clears) {
    const target = document.getElementById(clears);
    if (target) target.innerHTML = '<option value="">—</option>';
  }
});
