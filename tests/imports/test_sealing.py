"""The import's sealer writes exactly what core.crypto writes and reads."""

from __future__ import annotations

from guanxi.core import crypto
from guanxi.customers.imports.sealing import cached_pinyin, sealer
from guanxi.customers.search import pinyin_keys


def test_the_sealer_encrypts_for_crypto_decrypt_and_indexes_like_crypto() -> None:
    seal = sealer()
    for value in ("+8613800138000", "11010519491231002X", "8000", "张伟"):
        token = seal.encrypt(value)
        assert token.startswith(f"gx1:{crypto.key_ring().active}:")
        assert crypto.decrypt(token) == value
        assert token != seal.encrypt(value)  # a fresh nonce each time
        for purpose in ("phone", "phone4", "id_number"):
            assert seal.blind_index(value, purpose) == crypto.blind_index(value, purpose)


def test_a_new_key_ring_gets_a_new_sealer(settings: object, tmp_path: object) -> None:
    first = sealer()
    crypto.reset_key_ring()
    second = sealer()
    assert second is not first
    assert second.blind_index("x", "phone") == crypto.blind_index("x", "phone")


def test_cached_pinyin_is_pinyin_keys() -> None:
    for name in ("张三丰", "华能石化有限公司", "ABC 贸易", "张三丰"):
        assert cached_pinyin(name) == pinyin_keys(name)
