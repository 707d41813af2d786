"""First-run set-up, sign-in, throttling, sign-out, password change, session expiry."""
from extensions import db
from models import AuditLog, School, User
from tests import factories as f


def test_empty_database_sends_every_visit_to_setup(client):
    response = client.get("/students/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/setup")
    page = client.get("/setup")
    assert "首次设置" in page.text and "中心学校名称" in page.text


def test_setup_creates_central_school_and_officer_then_closes(client):
    response = client.post("/setup", data={
        "school_name": "青山镇中心学校", "school_code": "", "village": "青山社区",
        "username": "zhuanGan", "name": "王建华", "password": "longenough", "confirm": "longenough"})
    assert response.status_code == 303
    school = db.session.scalar(db.select(School))
    user = db.session.scalar(db.select(User))
    assert (school.name, school.kind) == ("青山镇中心学校", "central")
    assert (user.role, user.school_id) == ("central_officer", school.id)
    assert user.password_hash != "longenough" and user.check_password("longenough")
    assert "添加村小" in client.get("/township/schools").text  # signed in, next step shown
    assert client.get("/setup").status_code == 404


def test_setup_rejects_bad_input_in_chinese(client):
    response = client.post("/setup", data={"school_name": "", "username": "a b", "name": "x",
                                           "password": "short", "confirm": "other"})
    assert response.status_code == 422
    for text in ("请填写中心学校名称", "用户名只能用英文字母", "密码至少 8 位", "两次输入的密码不一致"):
        assert text in response.text
    assert db.session.scalar(db.select(User)) is None


def test_sign_in_and_out(world, client):
    page = client.get("/login")
    assert "登录" in page.text
    response = client.post("/login?next=/students/", data={"username": "head", "password": f.PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/students/"
    assert "学生名册" in client.get("/students/").text
    db.session.expire_all()
    assert db.session.get(User, world.users["village_head"].id).last_login_at is not None
    assert db.session.scalar(db.select(AuditLog).filter_by(action="login", username="head"))
    assert client.post("/logout").status_code == 303
    assert client.get("/students/").status_code == 302


def test_next_parameter_cannot_leave_the_site(world, client):
    response = client.post("/login?next=https://evil.example/", data={"username": "head",
                                                                      "password": f.PASSWORD})
    assert response.headers["Location"] == "/"


def test_wrong_password_and_inactive_user_are_refused(world, client):
    response = client.post("/login", data={"username": "head", "password": "wrong-one"})
    assert response.status_code == 422
    assert "用户名或密码不正确" in response.text
    user = world.users["teacher"]
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"username": "teacher", "password": f.PASSWORD})
    assert response.status_code == 422


def test_repeated_failures_are_throttled_but_successes_are_not(world, client):
    for _ in range(5):
        assert client.post("/login", data={"username": "head", "password": "bad"}).status_code == 422
    response = client.post("/login", data={"username": "head", "password": "bad"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text and "5 分钟" in response.text
    # even the right password waits: the account is being guessed at
    assert client.post("/login", data={"username": "head", "password": f.PASSWORD}).status_code == 429
    # another account from the same PC is not locked, and successes never count
    for _ in range(7):
        c = client.application.test_client()
        assert c.post("/login", data={"username": "officer", "password": f.PASSWORD}).status_code == 303


def test_change_password_signs_out_other_sessions(world, login):
    here, elsewhere = login("head"), login("head")
    wrong = here.post("/password", data={"current": "nope", "new": "newpassword1",
                                         "confirm": "newpassword1"})
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.text
    mismatch = here.post("/password", data={"current": f.PASSWORD, "new": "newpassword1",
                                            "confirm": "newpassword2"})
    assert "两次输入的新密码不一致" in mismatch.text
    ok = here.post("/password", data={"current": f.PASSWORD, "new": "newpassword1",
                                      "confirm": "newpassword1"})
    assert ok.status_code == 303
    assert here.get("/students/").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/students/").status_code == 302  # the other one is signed out
    assert login("head", "newpassword1")


def test_expired_session_on_htmx_request_redirects_whole_page(world, client):
    response = client.get("/students/?q=zs", headers={"HX-Request": "true",
                                                      "HX-Target": "student-results"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"
    assert response.text == ""
