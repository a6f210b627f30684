"""The benchmark server's URLs: the app's own, and the yardstick page (`bench_pages` runs
its server with ROOT_URLCONF pointing here; the app never mounts it)."""

from django.urls import path

from benchmarks.yardstick import yardstick
from mentoring.urls import handler400, handler403, handler404, handler500
from mentoring.urls import urlpatterns as app

urlpatterns = [path("bench/yardstick/", yardstick, name="bench_yardstick"), *app]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
