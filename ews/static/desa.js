// The desa picker (web/_desa.html): when the NIK has 16 digits, load the desa of its kecamatan
// (first six digits) from the application itself and offer them; no other network call.
(function () {
  "use strict";
  function setup() {
    var select = document.querySelector("select[data-desa]");
    var nik = document.getElementById("in-nik");
    if (!select || !nik) { return; }
    var loaded = null;
    function fill(list) {
      var keep = select.value;
      while (select.options.length > 1) { select.remove(1); }
      list.forEach(function (item) {
        var option = new Option(item[1], item[0], false, item[0] === keep);
        select.add(option);
      });
    }
    function load() {
      var digits = nik.value.replace(/\s/g, "");
      if (!/^[0-9]{16}$/.test(digits)) { return; }
      var kecamatan = digits.slice(0, 6);
      if (kecamatan === loaded) { return; }
      loaded = kecamatan;
      fetch(select.dataset.desaUrl.replace("000000", kecamatan), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {desa: []}; })
        .then(function (body) { if (loaded === kecamatan) { fill(body.desa); } })
        .catch(function () { loaded = null; });
    }
    nik.addEventListener("input", load);
    nik.addEventListener("change", load);
    load();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
