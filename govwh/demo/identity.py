"""Fake but well-formed personal identifiers, derived from an applicant number.

Deterministic per applicant (a counter-based hash, not a stateful generator), so a returning
applicant carries the same ID card number, name and phone in every month's file. ID card
numbers carry a valid GB 11643 check digit; unified social credit codes a valid GB 32100 one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建辉飞鑫波宇浩凯婷雪琳晨欣怡佳悦子涵梓轩一诺思远嘉"
)
ENTERPRISE_WORDS = list("华盛恒通达鑫源泰隆宏昌兴利丰瑞祥德信安康")
ENTERPRISE_KINDS = [
    "科技有限公司",
    "商贸有限公司",
    "建筑工程有限公司",
    "餐饮管理有限公司",
    "物流有限公司",
    "农业专业合作社",
]

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = np.array(list("10X98765432"))
# position of each check character in the alphabet "0123456789X"
ID_CHECK_INDEX = ["0123456789X".index(c) for c in "10X98765432"]
USCC_CHARS = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])


def _mix(values: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64 of (value, salt): independent pseudo-random bits per applicant."""
    offset = np.uint64((salt * 0x9E3779B97F4A7C15) % 2**64)
    with np.errstate(over="ignore"):
        x = values.astype(np.uint64) + offset
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _join_codes(codes: np.ndarray, alphabet: str) -> np.ndarray:
    """(rows × columns) array of alphabet indexes → one string per row, vectorised."""
    table = np.frombuffer(alphabet.encode("ascii"), dtype=np.uint8)
    chars = np.ascontiguousarray(table[codes])
    return chars.view(f"S{codes.shape[1]}").ravel().astype(str)


def id_card_check_digit(first_17: np.ndarray) -> np.ndarray:
    """GB 11643 check character for an (n × 17) array of digit values."""
    return ID_CHECK[(first_17 * ID_WEIGHTS).sum(axis=1) % 11]


def uscc_check_char(first_17: np.ndarray) -> np.ndarray:
    """GB 32100 check character for an (n × 17) array of character values (0–30)."""
    remainder = (first_17 * USCC_WEIGHTS).sum(axis=1) % 31
    return USCC_CHARS[(31 - remainder) % 31]


ENTERPRISE_OFFSET = 10**12  # applicant numbers from here on are enterprises


def applicant_identities(
    applicants: np.ndarray, county_codes: list[str], seed: int, city_name: str = "嵩州市"
) -> pl.DataFrame:
    """applicant number → type, ID number, name, phone (all fake). Numbers below
    ENTERPRISE_OFFSET are persons (ID card), the others enterprises (credit code)."""
    n = len(applicants)
    h = [_mix(applicants, seed * 101 + salt) for salt in range(6)]
    is_enterprise = applicants >= ENTERPRISE_OFFSET

    counties = np.array([[int(c) for c in code] for code in county_codes])
    region = counties[(h[1] % np.uint64(len(county_codes))).astype(np.int64)]
    birth = np.datetime64("1942-01-01") + (h[2] % np.uint64(58 * 365)).astype("timedelta64[D]")
    years = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    months = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
    birth_number = years * 10000 + months * 100 + days
    birth_digits = (birth_number[:, None] // 10 ** np.arange(7, -1, -1)) % 10
    sequence = (h[3] % np.uint64(1000)).astype(np.int64)
    sequence_digits = (sequence[:, None] // 10 ** np.arange(2, -1, -1)) % 10
    id_17 = np.concatenate([region, birth_digits, sequence_digits], axis=1).astype(np.int64)
    check_index = (id_17 * ID_WEIGHTS).sum(axis=1) % 11
    id_numbers = _join_codes(
        np.concatenate(
            [id_17, np.array([ID_CHECK_INDEX[c] for c in range(11)])[check_index][:, None]], axis=1
        ),
        "0123456789X",
    )

    org = (
        (h[4][:, None] >> (np.arange(9, dtype=np.uint64) * np.uint64(5))) % np.uint64(31)
    ).astype(np.int64)
    uscc_17 = np.concatenate([np.tile([9, 1], (n, 1)), region, org], axis=1)
    uscc_check = (31 - (uscc_17 * USCC_WEIGHTS).sum(axis=1) % 31) % 31
    uscc = _join_codes(np.concatenate([uscc_17, uscc_check[:, None]], axis=1), "".join(USCC_CHARS))

    surname = np.array(SURNAMES)[(h[5] % np.uint64(len(SURNAMES))).astype(np.int64)]
    given_1 = np.array(GIVEN)[((h[5] >> np.uint64(16)) % np.uint64(len(GIVEN))).astype(np.int64)]
    given_2 = np.array(GIVEN)[((h[5] >> np.uint64(32)) % np.uint64(len(GIVEN))).astype(np.int64)]
    two_char = ((h[5] >> np.uint64(48)) % np.uint64(3)) == 0
    person_name = np.where(
        two_char, np.char.add(surname, given_1), np.char.add(np.char.add(surname, given_1), given_2)
    )
    word_1 = np.array(ENTERPRISE_WORDS)[(h[4] % np.uint64(len(ENTERPRISE_WORDS))).astype(np.int64)]
    word_2 = np.array(ENTERPRISE_WORDS)[
        ((h[4] >> np.uint64(20)) % np.uint64(len(ENTERPRISE_WORDS))).astype(np.int64)
    ]
    kind = np.array(ENTERPRISE_KINDS)[
        ((h[4] >> np.uint64(40)) % np.uint64(len(ENTERPRISE_KINDS))).astype(np.int64)
    ]
    enterprise_name = np.char.add(np.char.add(np.char.add(city_name[:-1], word_1), word_2), kind)

    prefixes = np.array(["13", "15", "17", "18", "19"])[
        ((h[3] >> np.uint64(10)) % np.uint64(5)).astype(np.int64)
    ]
    subscriber = ((h[3] >> np.uint64(20)) % np.uint64(10**9)).astype(np.int64)
    phone = np.char.add(prefixes, np.char.zfill(subscriber.astype(str), 9))

    return pl.DataFrame(
        {
            "applicant_number": applicants,
            "applicant_type": np.where(is_enterprise, "enterprise", "person"),
            "applicant_id": np.where(is_enterprise, uscc, id_numbers),
            "applicant_name": np.where(is_enterprise, enterprise_name, person_name),
            "applicant_phone": phone,
        }
    )


def is_valid_id_card(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    digits = np.array([[int(c) for c in number[:17]]])
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return id_card_check_digit(digits)[0] == number[17]


def is_valid_uscc(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    values = np.array([[int(np.where(c == USCC_CHARS)[0][0]) for c in code[:17]]])
    return uscc_check_char(values)[0] == code[17]
