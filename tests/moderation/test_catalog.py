"""The admin catalog: categories (create, rename, reorder, archive, delete) and featuring."""

import pytest
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import AuditEvent, Campaign, CampaignStatus, Category, Role, utcnow
from campaigns.petitions.queries import active_categories
from tests.conftest import get_campaign


def categories(app) -> list[tuple[str, str, int, bool]]:
    """(name, slug, position, archived) of every category, in list order."""
    with app.app_context():
        rows = db.session.scalars(select(Category).order_by(Category.position, Category.name))
        return [(c.name, c.slug, c.position, c.archived_at is not None) for c in rows]


def audit_actions(app) -> list[str]:
    """Every audit action, oldest first."""
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def add(client, name):
    """Post the new-category form."""
    return client.post("/admin/categories", data={"new-name": name})


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 302), (Role.MEMBER, 403), (Role.MODERATOR, 403), (Role.ADMIN, 200)],
)
def test_catalog_is_for_admins_only(app, client, login_as, make_category, role, expected):
    """Anonymous visitors log in first; members and moderators are refused."""
    category_id = make_category("Workplace")
    if role is not None:
        login_as(role)
    assert client.get("/admin/categories").status_code == expected
    post_expected = 302 if expected == 200 else expected
    assert add(client, "Education").status_code == post_expected
    for verb in ("archive", "unarchive", "delete"):
        response = client.post(f"/admin/categories/{category_id}/{verb}")
        assert response.status_code == post_expected, verb
    # The admin added Education and deleted the unused Workplace; nobody else changed anything.
    expected_names = ["Education"] if role == Role.ADMIN else ["Workplace"]
    assert [c[0] for c in categories(app)] == expected_names


def test_add_derives_a_unique_slug_and_appends(app, client, login_as, make_category):
    """New categories go to the end; slugs come from the name and never collide."""
    make_category("Workplace")
    login_as(Role.ADMIN)
    assert add(client, "  Éducation   supérieure ").status_code == 302
    assert add(client, "Education Superieure!").status_code == 302
    assert add(client, "教育").status_code == 302
    assert categories(app) == [
        ("Workplace", "workplace", 0, False),
        ("Éducation supérieure", "education-superieure", 1, False),
        ("Education Superieure!", "education-superieure-2", 2, False),
        ("教育", "category", 3, False),
    ]
    assert audit_actions(app) == ["category.created"] * 3
    page = client.get("/admin/categories").get_data(as_text=True)
    assert "education-superieure-2" in page


@pytest.mark.parametrize("name", ["", "   ", "workplace", "WORKPLACE", "x" * 61])
def test_add_refuses_empty_duplicate_and_long_names(app, client, login_as, make_category, name):
    """Blank names, names already used (whatever the case) and long names are a 400."""
    make_category("Workplace")
    login_as(Role.ADMIN)
    response = add(client, name)
    assert response.status_code == 400
    assert len(categories(app)) == 1


def test_rename_keeps_the_slug(app, client, login_as, make_category):
    """The address of a category survives a rename; a taken name is refused."""
    category_id = make_category("Workplace")
    make_category("Education")
    login_as(Role.ADMIN)
    data = {f"c{category_id}-name": "Work and pay"}
    assert client.post(f"/admin/categories/{category_id}/rename", data=data).status_code == 302
    assert ("Work and pay", "workplace", 0, False) in categories(app)
    data = {f"c{category_id}-name": "education"}
    response = client.post(f"/admin/categories/{category_id}/rename", data=data)
    assert response.status_code == 400
    assert "already a category called" in response.get_data(as_text=True)
    assert client.post("/admin/categories/999/rename", data=data).status_code == 404
    assert audit_actions(app) == ["category.renamed"]


def test_move_up_and_down(app, client, login_as):
    """Positions are renumbered so the order is always explicit; bad directions are a 400."""
    login_as(Role.ADMIN)
    for name in ("A", "B", "C"):
        add(client, name)
    with app.app_context():
        c_id = db.session.scalar(select(Category.id).where(Category.name == "C"))
        a_id = db.session.scalar(select(Category.id).where(Category.name == "A"))
    assert (
        client.post(f"/admin/categories/{c_id}/move", data={"direction": "up"}).status_code == 302
    )
    assert [c[0] for c in categories(app)] == ["A", "C", "B"]
    client.post(f"/admin/categories/{a_id}/move", data={"direction": "down"})
    assert [c[0] for c in categories(app)] == ["C", "A", "B"]
    client.post(f"/admin/categories/{c_id}/move", data={"direction": "up"})
    assert [(c[0], c[2]) for c in categories(app)] == [("C", 1), ("A", 2), ("B", 3)]
    response = client.post(f"/admin/categories/{c_id}/move", data={"direction": "sideways"})
    assert response.status_code == 400


def test_archive_keeps_existing_campaigns_and_leaves_the_choice_list(
    app, client, login_as, make_category, make_campaign
):
    """Archived categories are not offered to new campaigns; campaigns filed there keep them."""
    category_id = make_category("Workplace")
    slug = make_campaign(status=CampaignStatus.OPEN)
    login_as(Role.ADMIN)
    assert client.post(f"/admin/categories/{category_id}/archive").status_code == 302
    assert categories(app) == [("Workplace", "workplace", 0, True)]
    with app.app_context():
        assert active_categories() == []
    assert get_campaign(app, slug).category_id == category_id
    assert client.post(f"/admin/categories/{category_id}/unarchive").status_code == 302
    with app.app_context():
        assert [c.id for c in active_categories()] == [category_id]
    assert audit_actions(app) == ["category.archived", "category.unarchived"]


def test_delete_only_unused_categories(app, client, login_as, make_category, make_campaign):
    """A category in use cannot be deleted (409); an unused one can."""
    used = make_category("Workplace")
    make_campaign(status=CampaignStatus.OPEN)
    unused = make_category("Typo")
    login_as(Role.ADMIN)
    response = client.post(f"/admin/categories/{used}/delete")
    assert response.status_code == 409
    assert "archive it instead" in response.get_data(as_text=True)
    assert client.post(f"/admin/categories/{unused}/delete").status_code == 302
    assert [c[0] for c in categories(app)] == ["Workplace"]


def test_admin_features_and_unfeatures_a_published_campaign(app, client, login_as, make_campaign):
    """The toggle stamps featured_at, is audited, and goes back where it was asked to."""
    slug = make_campaign(status=CampaignStatus.OPEN)
    login_as(Role.ADMIN)
    response = client.post(f"/admin/campaigns/{slug}/feature", data={"next": f"/campaigns/{slug}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/campaigns/{slug}"
    assert get_campaign(app, slug).featured_at is not None
    response = client.post(
        f"/admin/campaigns/{slug}/feature", data={"next": "https://evil.example"}
    )
    assert response.headers["Location"] == "/"
    assert get_campaign(app, slug).featured_at is None
    assert audit_actions(app) == ["campaign.featured", "campaign.unfeatured"]


@pytest.mark.parametrize(
    "fields",
    [
        {"status": CampaignStatus.DRAFT},
        {"status": CampaignStatus.PENDING_REVIEW},
        {"status": CampaignStatus.OPEN, "hidden_at": utcnow()},
    ],
)
def test_only_visible_published_campaigns_can_be_featured(
    app, client, login_as, make_campaign, fields
):
    """Drafts, campaigns under review and hidden ones are refused with 409."""
    slug = make_campaign(**fields)
    login_as(Role.ADMIN)
    assert client.post(f"/admin/campaigns/{slug}/feature").status_code == 409
    assert get_campaign(app, slug).featured_at is None


@pytest.mark.parametrize(("role", "expected"), [(None, 302), (Role.MODERATOR, 403)])
def test_featuring_needs_an_admin(app, client, login_as, make_campaign, role, expected):
    """Moderators and anonymous visitors cannot feature campaigns."""
    slug = make_campaign(status=CampaignStatus.OPEN)
    if role is not None:
        login_as(role)
    assert client.post(f"/admin/campaigns/{slug}/feature").status_code == expected
    assert client.post("/admin/campaigns/nope/feature").status_code == expected
    assert get_campaign(app, slug).featured_at is None


def test_feature_unknown_campaign_is_a_404(client, login_as):
    """An admin featuring a slug that does not exist gets 404."""
    login_as(Role.ADMIN)
    assert client.post("/admin/campaigns/nope/feature").status_code == 404


@pytest.mark.parametrize(
    ("role", "moderation", "catalog"),
    [(Role.MEMBER, False, False), (Role.MODERATOR, True, False), (Role.ADMIN, True, True)],
)
def test_navigation_links_by_role(client, login_as, role, moderation, catalog):
    """Moderators see the Moderation link; only admins see Admin, whose dashboard has Categories."""
    login_as(role)
    html = client.get("/account/").get_data(as_text=True)
    assert ('href="/moderation/"' in html) is moderation
    assert ('href="/admin/"' in html) is catalog
    if catalog:
        assert 'href="/admin/categories"' in client.get("/admin/").get_data(as_text=True)


def test_cli_adds_and_lists_categories(app, runner):
    """`flask categories add` seeds a fresh install; `list` shows order, slug and state."""
    result = runner.invoke(args=["categories", "list"])
    assert "No categories yet" in result.output
    result = runner.invoke(args=["categories", "add", "Workplace", "Higher education"])
    assert result.exit_code == 0, result.output
    assert "Added Higher education (higher-education)." in result.output
    result = runner.invoke(args=["categories", "add", "workplace"])
    assert result.exit_code != 0 and "already a category" in result.output
    result = runner.invoke(args=["categories", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "workplace" in lines[0] and "higher-education" in lines[1]
    assert "[active, 0 campaigns]" in lines[0]
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Campaign.id))) == 0
    assert audit_actions(app) == ["category.created", "category.created"]
