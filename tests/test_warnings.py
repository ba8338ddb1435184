"""The suite's warning filters (pyproject.toml): our own code's warnings fail a test, a system
library's deprecation notice does not (WeasyPrint without libharfbuzz-subset0, on a fresh machine)."""

from __future__ import annotations

import warnings

import pytest

HARFBUZZ_NOTICE = "HarfBuzz-Subset will be required by future versions of WeasyPrint."


def test_a_library_deprecation_notice_is_shown_not_raised() -> None:
    with warnings.catch_warnings(record=True) as caught:
        # Exactly what weasyprint/text/ffi.py does at import time when the library is missing.
        warnings.warn_explicit(HARFBUZZ_NOTICE, DeprecationWarning, "ffi.py", 528, module="weasyprint.text.ffi")
    assert [str(w.message) for w in caught] == [HARFBUZZ_NOTICE]


@pytest.mark.parametrize("module", ["digest", "digest.outputs.render", "test_cli"])
def test_a_warning_from_our_own_code_is_an_error(module: str) -> None:
    with pytest.raises(DeprecationWarning, match="ours"):
        warnings.warn_explicit("ours", DeprecationWarning, f"{module}.py", 1, module=module)


def test_a_library_named_like_ours_is_not_ours() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn_explicit("theirs", UserWarning, "digester.py", 1, module="digester")
    assert len(caught) == 1
