"""The home page renders."""


def test_home(client):
    """The home page answers with the site's layout."""
    response = client.get("/")
    assert response.status_code == 200
    assert b"Groundswell" in response.data
