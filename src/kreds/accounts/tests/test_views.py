from django.urls import reverse

from kreds.accounts.constants import Role
from kreds.accounts.models import Membership, User
from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent


def test_demo_accounts_shown_only_in_demo_mode(client, settings, db):
    settings.DEMO_MODE = False
    assert "raadgiver" not in client.get(reverse("accounts:login")).content.decode()
    settings.DEMO_MODE = True
    html = client.get(reverse("accounts:login")).content.decode()
    assert "raadgiver" in html and "kreds-demo-2026" in html


def test_demo_banner_on_every_page_in_demo_mode(client, settings, db):
    settings.DEMO_MODE = True
    assert "demo-banner" in client.get(reverse("accessibility")).content.decode()
    settings.DEMO_MODE = False
    assert "demo-banner" not in client.get(reverse("accessibility")).content.decode()


def test_administrator_creates_user_and_gives_role(world, client, login):
    login(world.administrator)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "ny-raadgiver",
            "first_name": "Ny",
            "last_name": "Rådgiver",
            "email": "ny@kommune.invalid",
            "password": "kort",
        },
    )
    assert response.status_code == 200 and not User.objects.filter(username="ny-raadgiver").exists()
    assert "ny@kommune.invalid" in response.content.decode()  # typed input is kept
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "ny-raadgiver",
            "first_name": "Ny",
            "last_name": "Rådgiver",
            "email": "ny@kommune.invalid",
            "password": "en lang og god sætning om hunde",
        },
    )
    new = User.objects.get(username="ny-raadgiver")
    assert new.municipality == world.municipality
    assert response.status_code == 302
    client.post(
        reverse("accounts:user_detail", args=[new.public_id]), {"unit": world.authority.pk, "role": Role.CASEWORKER}
    )
    assert Membership.objects.filter(user=new, role=Role.CASEWORKER).exists()
    # A unit of another municipality is not offered and is refused.
    other_unit = world.other_case.responsible_unit
    client.post(reverse("accounts:user_detail", args=[new.public_id]), {"unit": other_unit.pk, "role": Role.LEADER})
    assert not Membership.objects.filter(user=new, role=Role.LEADER).exists()
    assert AuditEvent.objects.filter(action=Action.USER_CREATE).exists()
    assert AuditEvent.objects.filter(action=Action.MEMBERSHIP_ADD).exists()


def test_administrator_cannot_manage_other_municipality_users(world, client, login):
    login(world.administrator)
    assert client.get(reverse("accounts:user_detail", args=[world.outsider.public_id])).status_code == 404


def test_administrator_cannot_deactivate_themself(world, client, login):
    login(world.administrator)
    client.post(reverse("accounts:user_action", args=[world.administrator.public_id, "deaktiver"]))
    world.administrator.refresh_from_db()
    assert world.administrator.is_active


def test_english_can_be_chosen_danish_is_default(client, db):
    assert "Log ind" in client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in to Kreds" in client.get(reverse("accounts:login")).content.decode()


def test_language_menu_names_are_capitalised_and_recognisable(client, db):
    """Language names in the menu begin with a capital, as Danish menus write them (issue 14 §3); a language other
    than the page's also gives its own name, so someone who cannot read Danish finds English."""
    import re

    def options() -> list[str]:
        html = client.get(reverse("accounts:login")).content.decode()
        menu = html.split('id="language-select"', 1)[1].split("</select>", 1)[0]
        return [re.sub(r"\s+", " ", o).strip() for o in re.findall(r"<option[^>]*>([^<]*)</option>", menu)]

    assert options() == ["Dansk", "Engelsk (English)"]
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert options() == ["Danish (Dansk)", "English"]
