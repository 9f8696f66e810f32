from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def sheet_list(request):
    return render(request, "sheets/sheet_list.html", {})
