from django.urls import reverse


def test_caseworker_sees_case(world, login):
    client = login(world.caseworker)
    response = client.get(reverse("cases:detail", args=[world.case.public_id]))
    assert response.status_code == 200
    assert world.case.child.first_name in response.content.decode()
