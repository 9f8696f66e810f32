"""An administrator membership opens the Django admin to its user (``is_staff``).

A signal rather than ``MembershipAdmin.save_model``: memberships are also made by the demo
loaders, management commands and the shell, and each of them should give the same access.
Removing the role does not take ``is_staff`` back: the admin shows such a user nothing, since
every scoped admin asks :func:`sheets.permissions.is_administrator`, and ``is_staff`` may have
been given on purpose.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from sheets.choices import Role
from sheets.models import Membership


@receiver(post_save, sender=Membership, dispatch_uid="sheets_administrator_is_staff")
def administrator_is_staff(sender, instance, raw=False, **kwargs):
    if raw or instance.role != Role.ADMINISTRATOR:
        return  # loaddata writes rows as they are
    get_user_model().objects.filter(pk=instance.user_id, is_staff=False).update(is_staff=True)
    if Membership.user.is_cached(instance):
        instance.user.is_staff = True  # an in-memory user saved again later keeps it too
