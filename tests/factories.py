"""Factories: small functions that add one row with sensible defaults, and World, two townships
with one user of every role, for access tests."""
from __future__ import annotations

import itertools
from datetime import date

from werkzeug.security import generate_password_hash

from demo import make_id
from extensions import db
from models import ClassGroup, Guardian, School, Student, User, school_year_of
from tests import TODAY

PASSWORD = "secret123"
# Sign-ins check the password for real, against a cheap hash: the default scrypt hash costs ~0.1 s
# a sign-in, most of the suite's time. Setting a password through the app still uses scrypt.
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
_seq = itertools.count(1)


def school(name=None, kind="village", parent=None, **kw) -> School:
    n = next(_seq)
    row = School(name=name or f"测试{n}村小", kind=kind, parent=parent, village=f"测试{n}村", **kw)
    db.session.add(row)
    db.session.flush()
    return row


def user(role, school=None, username=None, name=None, **kw) -> User:
    n = next(_seq)
    row = User(username=username or f"{role}{n}", name=name or f"用户{n}", role=role,
               school=school, password_hash=_HASH, **kw)
    db.session.add(row)
    db.session.flush()
    return row


def klass(school, grade=3, name="1班", head_teacher=None, year=None) -> ClassGroup:
    row = ClassGroup(school=school, grade=grade, name=name, head_teacher=head_teacher,
                     school_year=year or school_year_of(TODAY))
    db.session.add(row)
    db.session.flush()
    return row


def id_number(born=date(2016, 5, 17), sex="男") -> str:
    return make_id(born, next(_seq), sex)


def student(school, klass=None, name="张三", sex="男", born=date(2016, 5, 17), **kw) -> Student:
    kw.setdefault("id_number", id_number(born, sex))
    row = Student(school=school, class_group=klass, grade=klass.grade if klass else 3, name=name,
                  sex=sex, birth_date=born, **kw)
    row.guardians = [Guardian(name="张大山", relation="父亲", phone="13800001111")]
    db.session.add(row)
    db.session.flush()
    return row


class World:
    """Township A (central A, villages A1 and A2) and township B (central B, village B1)."""

    def __init__(self):
        self.central_a = school("甲镇中心学校", kind="central")
        self.a1 = school("甲一村小", parent=self.central_a)
        self.a2 = school("甲二教学点", kind="point", parent=self.central_a)
        self.central_b = school("乙镇中心学校", kind="central")
        self.b1 = school("乙一村小", parent=self.central_b)
        self.users = {
            "central_officer": user("central_officer", self.central_a, "officer"),
            "central_leader": user("central_leader", self.central_a, "leader"),
            "village_head": user("village_head", self.a1, "head"),
            "teacher": user("teacher", self.a1, "teacher"),
            "inspector": user("inspector", self.central_a, "inspector"),
        }
        self.county_inspector = user("inspector", None, "county")
        self.head_b = user("village_head", self.b1, "head_b")
        self.class_a1 = klass(self.a1, grade=3, head_teacher=self.users["teacher"])
        self.other_class_a1 = klass(self.a1, grade=4, name="1班")
        self.class_a2 = klass(self.a2, grade=2)
        self.class_b1 = klass(self.b1, grade=3)
        self.s_a1 = student(self.a1, self.class_a1, name="张三")
        self.s_a1_other = student(self.a1, self.other_class_a1, name="李四", sex="女")
        self.s_a2 = student(self.a2, self.class_a2, name="王五")
        self.s_b1 = student(self.b1, self.class_b1, name="赵六")
        db.session.commit()


def png_of(width: int, height: int) -> bytes:
    """A real, valid PNG of width x height grey pixels, written row by row without an image in
    memory: 10,000 x 10,000 compresses to ~100 KB (the security review's 94 KB file)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    packer = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # filter byte + one byte a pixel (8-bit greyscale)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))
