"""CSRF is enforced: a form post and an htmx DELETE without the token are refused."""
import re

from extensions import db
from models import Student
from tests import factories as f


def _token(html: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def _sign_in(app, username):
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").text).group(1)
    refused = client.post("/login", data={"username": username, "password": f.PASSWORD})
    assert refused.status_code == 400 and "安全校验未通过" in refused.text
    assert client.post("/login", data={"username": username, "password": f.PASSWORD,
                                       "csrf_token": token}).status_code == 303
    return client


def test_form_post_without_token_is_refused_and_writes_nothing(csrf_app):
    world = f.World()
    client = _sign_in(csrf_app, "head")
    before = db.session.query(Student).count()
    response = client.post("/students/new", data={"school_id": world.a1.id, "name": "无令牌",
                                                  "sex": "男", "grade": 3, "class_id": 0,
                                                  "placement": "in_school"})
    assert response.status_code == 400
    assert db.session.query(Student).count() == before


def test_htmx_delete_needs_the_header_token(csrf_app):
    world = f.World()
    victim_id = world.s_a1.id
    client = _sign_in(csrf_app, "officer")
    token = _token(client.get("/students/").text)
    refused = client.delete(f"/students/{victim_id}", headers={"HX-Request": "true"})
    assert refused.status_code == 400
    assert refused.mimetype == "text/plain" and "刷新页面" in refused.text  # app.js shows it
    db.session.expire_all()
    assert db.session.get(Student, victim_id) is not None
    done = client.delete(f"/students/{victim_id}",
                         headers={"HX-Request": "true", "X-CSRFToken": token})
    assert done.status_code == 204
    db.session.expire_all()
    assert db.session.get(Student, victim_id) is None
