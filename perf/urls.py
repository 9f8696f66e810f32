"""URLs of the benchmark server: the project's, the printing app's, and a bare 200-row template view.

The bare view is the baseline of the page timings: a Django template of a 200-row table with no
database query, rendered by the same stack (middleware, template engine) as the real pages.
"""

from django.shortcuts import render
from django.urls import include, path

from hikikomori_eval.urls import urlpatterns as project_urlpatterns

BARE_ROWS = [
    {
        "code": f"試験-{i:03d}",
        "name": f"試験事業{i}",
        "unit": "試験課",
        "amount": i * 1234,
        "status": "作成中",
    }
    for i in range(200)
]


def bare_rows(request):
    return render(request, "perf/bare_rows.html", {"rows": BARE_ROWS})


urlpatterns = [path("perf/bare/", bare_rows, name="perf_bare")]
if not any(getattr(p, "namespace", None) == "printing" for p in project_urlpatterns):
    urlpatterns.append(path("printing/", include("printing.urls")))
urlpatterns += project_urlpatterns
