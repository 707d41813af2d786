"""GB 11643 ID numbers: checksum, length, characters, province, birth date, sex."""
from datetime import date

import pytest

from blueprints.students.idnumber import check, check_digit, normalize

TODAY = date(2026, 11, 23)


def test_known_valid_number_gives_birth_date_and_sex():
    # The standard's own example: 11010519491231002X, a woman born 1949-12-31.
    result = check("11010519491231002X", TODAY)
    assert result.ok
    assert result.birth_date == date(1949, 12, 31)
    assert result.sex == "女"


def test_male_from_odd_17th_digit():
    first17 = "52242320160517003"
    result = check(first17 + check_digit(first17), TODAY)
    assert result.ok and result.sex == "男" and result.birth_date == date(2016, 5, 17)


@pytest.mark.parametrize("raw, message", [
    ("11010519491231002", "应为 18 位，现在是 17 位"),
    ("1101051949123100211", "应为 18 位，现在是 19 位"),
    ("1101051949123100A1", "前 17 位应为数字"),
    ("99010519491231002X", "不是有效的省级行政区代码"),
    ("110105194913310023", "不是有效的出生日期"),
    ("110105203001010021", "不合理"),
    ("110105194912310021", "校验位不对：最后一位应为 X"),
])
def test_invalid_numbers_say_what_to_fix(raw, message):
    result = check(raw, TODAY)
    assert not result.ok
    assert message in result.error


def test_every_wrong_check_digit_is_caught():
    first17 = "52242320160517003"
    right = check_digit(first17)
    for wrong in "0123456789X":
        if wrong != right:
            assert not check(first17 + wrong, TODAY).ok


def test_lowercase_x_spaces_and_full_width_digits_are_accepted():
    assert normalize(" 11010519491231002x ") == "11010519491231002X"
    assert check("１１０１０５１９４９１２３１００２Ｘ", TODAY).ok
