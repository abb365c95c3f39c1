"""The accelerator catalog: shipped figures, names, errors, user catalogs."""

from __future__ import annotations

import datetime as dt
import math
import textwrap

import pytest

from flopcast.core.errors import DataError, InputError, UnknownNameError
from flopcast.estimate import chips


@pytest.fixture
def fresh_default():
    """Clear the cached default catalog before and after a test that changes $FLOPCAST_DATA."""
    chips.default_catalog.cache_clear()
    yield
    chips.default_catalog.cache_clear()


def write(tmp_path, text, name="hardware.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


USER_CHIP = """
chips:
  - id: toy-1
    name: Toy Accelerator 1
    vendor: Toyco
    kind: npu
    aliases: [Toy 1]
    peak:
      bf16: 1.0e+14
    sources:
      - url: https://example.org/toy-1
        date: 2026-01-01
    prices:
      - usd_per_hour: 1.5
        date: 2026-02-01
        source: https://example.org/a
      - usd_per_hour: 9.0
        date: 2026-02-01
        source: https://example.org/b
      - usd_per_hour: 0.5
        date: 2025-02-01
        source: https://example.org/c
"""


# ---- shipped figures (reference table: facts.md section 5; primary sources in the yaml) ------


@pytest.mark.parametrize(
    "chip, precision, value",
    [
        ("V100", "fp16", 1.25e14),  # 125 TFLOPS tensor FP16, SXM2
        ("A100", "bf16", 3.12e14),  # 312 TFLOPS
        ("A100", "tf32", 1.56e14),  # 156 TFLOPS
        ("NVIDIA A100 SXM4 80 GB", "bf16", 3.12e14),
        ("NVIDIA A100 PCIe", "bf16", 3.12e14),
        ("A800", "bf16", 3.12e14),
        ("H100 SXM", "bf16", 9.89e14),  # 1,979 / 2 (sparse figure halved)
        ("H100 SXM", "fp8", 1.979e15),  # 3,958 / 2
        ("H100 PCIe", "bf16", 7.56e14),  # 1,513 / 2
        ("H100 PCIe", "fp8", 1.513e15),  # 3,026 / 2
        ("H800", "bf16", 9.89e14),
        ("H800", "fp8", 1.979e15),
        ("H200", "bf16", 9.89e14),
        ("H200", "fp8", 1.979e15),
        ("H20", "bf16", 1.48e14),
        ("H20", "fp8", 2.96e14),
        ("B200", "bf16", 2.25e15),
        ("B200", "fp8", 4.5e15),
        ("GB200", "bf16", 2.5e15),  # per GPU: 360 PFLOPS sparse BF16 / 72 / 2
        ("GB200", "fp8", 5.0e15),  # 720 PFLOPS sparse FP8 / 72 / 2
        ("B200", "fp4", 9.0e15),  # 18 PFLOPS sparse FP4 per HGX B200 GPU / 2
        ("GB200", "fp4", 1.0e16),  # 1,440 PFLOPS sparse FP4 / 72 / 2
        ("B300", "fp4", 1.4e16),  # Verda's dense table, 14 PFLOPS
        ("GB200", "nvfp4", 1.0e16),  # NVIDIA's NVFP4 spelling
        ("B200", "mxfp4", 9.0e15),  # the OCP MXFP4 spelling, same tensor-core rate
        ("MI300X", "bf16", 1.307e15),
        ("MI300X", "fp8", 2.615e15),
        ("TPU v3", "bf16", 1.23e14),
        ("TPU v4", "bf16", 2.75e14),
        ("TPU v5e", "bf16", 1.97e14),
        ("TPU v5p", "bf16", 4.59e14),
        ("TPU v6e", "bf16", 9.18e14),
    ],
)
def test_reference_peaks(chip, precision, value):
    assert chips.peak_flop_per_s(chip, precision) == pytest.approx(value, rel=1e-3)


def test_h800_has_the_tensor_throughput_of_h100_sxm():
    h100, h800 = chips.lookup("H100 SXM"), chips.lookup("H800")
    for precision in ("bf16", "fp16", "fp8", "int8"):
        assert h800.peak[precision] == h100.peak[precision]


def test_every_a100_variant_has_the_same_compute():
    ids = ("a100-sxm4-40gb", "a100-sxm4-80gb", "a100-pcie")
    assert len({tuple(sorted(chips.lookup(i).peak.items())) for i in ids}) == 1


def test_fp8_is_twice_bf16_on_hopper_and_blackwell():
    for name in ("h100-sxm", "h100-pcie", "h800-sxm", "h200", "h20", "b200", "gb200", "mi300x"):
        chip = chips.lookup(name)
        assert chip.peak["fp8"] == pytest.approx(2 * chip.peak["bf16"], rel=2e-3), name


def test_llama_nemotron_rl_hours_at_peak():
    # facts.md s.1: 140k H100-hours x 3600 s x 9.89e14 FLOP/s = 4.98e23 FLOP at 100% of peak
    assert 140e3 * 3600 * chips.peak_flop_per_s("H100") == pytest.approx(4.98456e23)


def test_required_chips_are_present():
    for name in (
        "V100 SXM2",
        "V100 PCIe",
        "A100 SXM4 40GB",
        "A100 SXM4 80GB",
        "A100 PCIe 40GB",
        "A100 PCIe 80GB",
        "A800",
        "H100 SXM",
        "H100 PCIe",
        "H800",
        "H200",
        "H20",
        "B200",
        "GB200",
        "MI250X",
        "MI300X",
        "TPU v2",
        "TPU v3",
        "TPU v4",
        "TPU v5e",
        "TPU v5p",
        "TPU v6e",
        "Ascend 910",
        "Ascend 910B",
        "RTX 3090",
        "RTX 4090",
        "RTX A6000",
        "Titan X Pascal",
        "GTX 1080 Ti",
        "T4",
        "L4",
        "L40S",
        "A10",
    ):
        assert name in chips.default_catalog(), name


# ---- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, chip_id",
    [
        # Epoch AI dataset spellings
        ("NVIDIA A100 SXM4 40 GB", "a100-sxm4-40gb"),
        ("NVIDIA A100 SXM4 80 GB", "a100-sxm4-80gb"),
        ("NVIDIA A100 PCIe", "a100-pcie"),
        ("NVIDIA A100", "a100-sxm4-40gb"),
        ("NVIDIA H100 SXM5 80GB", "h100-sxm"),
        ("NVIDIA H100 SXM5", "h100-sxm"),
        ("NVIDIA H100 PCIe", "h100-pcie"),
        ("NVIDIA H800 SXM5", "h800-sxm"),
        ("NVIDIA A800", "a800"),
        ("Google TPU v3", "tpu-v3"),
        ("Google TPU v4", "tpu-v4"),
        ("Google TPU v6e Trillium", "tpu-v6e"),
        ("NVIDIA Tesla V100 DGXS 32 GB", "v100-sxm2"),
        ("NVIDIA Tesla V100 DGXS 16 GB", "v100-sxm2"),
        ("NVIDIA Tesla V100 SXM2", "v100-sxm2"),
        ("NVIDIA Tesla V100S PCIe 32 GB", "v100s-pcie"),
        ("NVIDIA V100", "v100-sxm2"),
        ("NVIDIA GeForce RTX 3090", "rtx-3090"),
        ("AMD Instinct MI250X", "mi250x"),
        ("AMD Radeon Instinct MI250X", "mi250x"),
        ("Huawei Ascend 910", "ascend-910"),
        ("Huawei Ascend 910B", "ascend-910b"),
        ("NVIDIA H200 SXM", "h200"),
        ("NVIDIA HGX H20", "h20"),
        ("NVIDIA TITAN X Pascal", "titan-x-pascal"),
        ("NVIDIA Tesla T4", "t4"),
        # short names and ids
        ("H100", "h100-sxm"),
        ("h100-sxm", "h100-sxm"),
        ("A100", "a100-sxm4-40gb"),
        ("v100", "v100-sxm2"),
        ("tpu-v4", "tpu-v4"),
        # case, spaces, dashes, underscores, dots, parentheses; vendor word optional
        ("h100_sxm", "h100-sxm"),
        ("  H100   SXM ", "h100-sxm"),
        ("TPUV4", "tpu-v4"),
        ("TITAN X (Pascal)", "titan-x-pascal"),
        ("NVIDIA H100 SXM", "h100-sxm"),
        ("nvidia tpu v4", "tpu-v4"),  # a vendor word is dropped, even the wrong one
        ("Google TPU v5p", "tpu-v5p"),
        ("NVIDIA L40S", "l40s"),
        ("nvidia-b200", "b200"),
    ],
)
def test_names_resolve(name, chip_id):
    assert chips.lookup(name).id == chip_id


def test_lookup_accepts_a_chip():
    h100 = chips.lookup("H100")
    assert chips.lookup(h100) is h100
    assert chips.peak_flop_per_s(h100) == 9.89e14


def test_lookup_rejects_non_text():
    with pytest.raises(InputError, match="a chip name must be text, got int 100"):
        chips.lookup(100)


def test_unknown_chip_lists_the_closest_names():
    with pytest.raises(UnknownNameError) as info:
        chips.lookup("H1000")
    assert (
        str(info.value) == "unknown chip 'H1000'; did you mean 'h100-sxm', 'v100-sxm2', 'h800-sxm'?"
    )
    assert info.value.kind == "chip"
    assert info.value.suggestions == ["h100-sxm", "v100-sxm2", "h800-sxm"]
    assert isinstance(info.value, KeyError)


def test_unknown_chip_with_nothing_close():
    with pytest.raises(UnknownNameError) as info:
        chips.lookup("Cerebras WSE-3")
    assert str(info.value) == "unknown chip 'Cerebras WSE-3'"
    assert info.value.suggestions == []


def test_catalog_is_loaded_once():
    assert chips.default_catalog() is chips.default_catalog()
    assert [c.id for c in chips.catalog()] == [c.id for c in chips.default_catalog()]


# ---- precisions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "alias, precision",
    [
        ("bfloat16", "bf16"),
        ("BF16", "bf16"),
        ("half", "fp16"),
        ("float16", "fp16"),
        ("float32", "fp32"),
        ("float8", "fp8"),
        ("e4m3", "fp8"),
        ("float8_e4m3fn", "fp8"),
        ("tf32", "tf32"),
        ("int8", "int8"),
    ],
)
def test_precision_aliases(alias, precision):
    assert chips.normalize_precision(alias) == precision


def test_precision_alias_reaches_the_peak():
    assert chips.peak_flop_per_s("H100", "bfloat16") == chips.peak_flop_per_s("H100", "bf16")
    assert chips.peak_flop_per_s("V100", "half") == 1.25e14


def test_missing_precision_is_an_error_listing_what_the_chip_has():
    with pytest.raises(InputError) as info:
        chips.peak_flop_per_s("V100", "bf16")
    assert str(info.value) == (
        "chip 'v100-sxm2' (NVIDIA Tesla V100 SXM2) has no bf16 peak in the catalog; it has fp32, "
        "fp16: pass one of these as the precision, or add a sourced bf16 figure in a user "
        "hardware.yaml"
    )


def test_no_silent_substitution_for_other_chips_without_bf16():
    for name in ("T4", "Titan X Pascal", "GTX 1080 Ti", "Ascend 910", "V100S"):
        with pytest.raises(InputError, match="has no bf16 peak"):
            chips.peak_flop_per_s(name, "bf16")


def test_unknown_precision():
    with pytest.raises(
        InputError,
        match=r"^unknown precision 'fp6'; allowed: fp32, tf32, bf16, "
        r"fp16, fp8, fp4, int8 \(also accepted: float32, single,",
    ):
        chips.peak_flop_per_s("B200", "fp6")


def test_fp4_is_twice_fp8_on_blackwell_and_absent_before():
    for name in ("B200", "GB200"):
        chip = chips.lookup(name)
        assert chip.peak["fp4"] == pytest.approx(2 * chip.peak["fp8"]), name  # 9 = 2 x 4.5
    with pytest.raises(InputError, match="has no fp4 peak"):
        chips.peak_flop_per_s("H100", "fp4")  # Hopper has no FP4 tensor cores


# ---- provenance ---------------------------------------------------------------------------------


def test_every_chip_cites_a_dated_url_and_valid_peaks():
    for chip in chips.catalog():
        assert chip.sources, chip.id
        for source in chip.sources:
            assert source.url.startswith("https://") or source.url.startswith("http://"), chip.id
            assert dt.date(2015, 1, 1) <= source.date <= dt.date(2026, 12, 31), chip.id
        assert set(chip.peak) <= set(chips.PRECISIONS), chip.id
        assert all(math.isfinite(v) and 1e12 < v < 1e17 for v in chip.peak.values()), chip.id


def test_every_price_is_cited_and_dated():
    priced = [c for c in chips.catalog() if c.prices]
    assert len(priced) >= 10
    for chip in priced:
        for price in chip.prices:
            assert price.source.startswith("http"), chip.id
            assert 0.05 < price.usd_per_hour < 20, chip.id
            assert price.date <= dt.date(2026, 12, 31), chip.id


def test_no_shipped_name_contains_a_comma():
    for chip in chips.catalog():
        assert not any("," in n for n in chip.names()), chip.id


# ---- prices -------------------------------------------------------------------------------------


def test_latest_price_of_h800_is_deepseeks_two_dollars():
    price = chips.price_per_hour("H800")
    assert price.usd_per_hour == 2.0
    assert price.date == dt.date(2025, 9, 17)
    assert price.source == "https://www.nature.com/articles/s41586-025-09422-z"


def test_no_price_is_none():
    assert chips.price_per_hour("H200") is None


def test_latest_price_ties_go_to_the_first_listed(tmp_path):
    cat = chips.load_catalog([write(tmp_path, USER_CHIP)], include_shipped=False)
    assert cat.price_per_hour("Toy 1").usd_per_hour == 1.5  # 2026-02-01: 1.5 listed before 9.0


# ---- split_chips --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, names",
    [
        ("Google TPU v2,Google TPU v1", ["Google TPU v2", "Google TPU v1"]),
        ("NVIDIA A100,NVIDIA V100", ["NVIDIA A100", "NVIDIA V100"]),
        ("NVIDIA A100 SXM4 40 GB", ["NVIDIA A100 SXM4 40 GB"]),
        (" Google TPU v4 , Google TPU v3 ,", ["Google TPU v4", "Google TPU v3"]),
        ("Google TPU v4,Google TPU v4", ["Google TPU v4"]),
        ("", []),
        (None, []),
        (float("nan"), []),
    ],
)
def test_split_chips(cell, names):
    assert chips.split_chips(cell) == names


def test_split_cells_resolve():
    assert [chips.lookup(n).id for n in chips.split_chips("NVIDIA A100,NVIDIA V100")] == [
        "a100-sxm4-40gb",
        "v100-sxm2",
    ]


# ---- user catalogs ------------------------------------------------------------------------------


def test_user_catalog_adds_a_chip(tmp_path):
    cat = chips.load_catalog([write(tmp_path, USER_CHIP)])
    assert cat.lookup("toy_1").name == "Toy Accelerator 1"
    assert cat.peak_flop_per_s("Toy 1") == 1.0e14
    assert len(cat) == len(chips.catalog()) + 1
    assert "toy-1" not in chips.default_catalog()  # the default catalog is unchanged


def test_user_catalog_replaces_a_shipped_chip_by_id(tmp_path):
    path = write(
        tmp_path,
        """
        chips:
          - id: h100-sxm
            name: NVIDIA H100 SXM5 80GB (throttled)
            vendor: NVIDIA
            kind: gpu
            aliases: [H100]
            peak: {bf16: 5.0e+14}
            sources: [{url: "https://example.org/power-capped", date: 2026-01-01}]
        """,
    )
    cat = chips.load_catalog([path])
    assert cat.peak_flop_per_s("H100") == 5.0e14
    assert [c.id for c in cat].index("h100-sxm") == [c.id for c in chips.catalog()].index(
        "h100-sxm"
    )
    with pytest.raises(UnknownNameError):
        cat.lookup("NVIDIA H100 SXM5 80GB")  # the replaced entry's aliases are gone


def test_flopcast_data_directory_is_layered_over_the_shipped_catalog(
    tmp_path, monkeypatch, fresh_default
):
    write(tmp_path, USER_CHIP)
    monkeypatch.setenv("FLOPCAST_DATA", str(tmp_path))
    assert chips.lookup("Toy 1").id == "toy-1"
    assert chips.lookup("H100").id == "h100-sxm"


@pytest.mark.parametrize(
    "entry, message",
    [
        (
            """
       - id: toy-2
         name: Toy 2
         vendor: Toyco
         kind: npu
         peak: {bf16: -1.0}
         sources: [{url: "https://example.org", date: 2026-01-01}]
     """,
            "chips[0] (toy-2): peak: bf16 must be a positive finite FLOP/s, got -1.0",
        ),
        (
            """
       - id: toy-2
         name: Toy 2
         vendor: Toyco
         kind: npu
         peak: {fp6: 1.0e+15}
         sources: [{url: "https://example.org", date: 2026-01-01}]
     """,
            "chips[0] (toy-2): peak: unknown precision 'fp6'; allowed: fp32, tf32, bf16, fp16, fp8, fp4, int8",
        ),
        (
            """
       - id: toy-2
         name: Toy 2
         vendor: Toyco
         kind: npu
         peak: {bf16: 1.0e+14}
     """,
            "chips[0] (toy-2): sources: Field required",
        ),
        (
            """
       - id: toy-2
         name: Toy 2
         vendor: Toyco
         kind: npu
         peak: {bf16: 1.0e+14}
         sources: [{url: "example.org", date: 2026-01-01}]
     """,
            "chips[0] (toy-2): sources.0.url: must be an http(s) URL, got 'example.org'",
        ),
        (
            """
       - id: Toy 2
         name: Toy 2
         vendor: Toyco
         kind: npu
         peak: {bf16: 1.0e+14}
         sources: [{url: "https://example.org", date: 2026-01-01}]
     """,
            "chips[0] (Toy 2): id: must be lower-case letters, digits, '.' and '-', got 'Toy 2'",
        ),
        (
            """
       - id: toy-2
         name: Toy 2
         vendor: Toyco
         kind: fpga
         peak: {bf16: 1.0e+14}
         sources: [{url: "https://example.org", date: 2026-01-01}]
     """,
            "chips[0] (toy-2): kind: Input should be 'gpu', 'tpu' or 'npu' (got 'fpga')",
        ),
        (
            """
       - id: toy-2
         name: Toy 2
         vendor: Toyco
         kind: npu
         peak: {bf16: 1.0e+14}
         sources: [{url: "https://example.org", date: 2026-01-01}]
         price: 2
     """,
            "chips[0] (toy-2): price: Extra inputs are not permitted (got 2)",
        ),
    ],
)
def test_malformed_user_entry_is_a_data_error_naming_file_and_entry(tmp_path, entry, message):
    path = write(tmp_path, "chips:" + textwrap.dedent(entry))
    with pytest.raises(DataError) as info:
        chips.load_catalog([path])
    # path:line: entry: message, the line of the offending key (yamlio's file:line convention)
    assert str(info.value) == f"{path}:{info.value.line}: {message}"
    assert info.value.path == str(path)
    assert 2 <= info.value.line <= 8  # inside the toy entry, which starts on line 2


def test_alias_clash_is_a_data_error(tmp_path):
    path = write(
        tmp_path,
        """
        chips:
          - id: toy-3
            name: Toy 3
            vendor: Toyco
            kind: npu
            aliases: [h100 sxm]
            peak: {bf16: 1.0e+14}
            sources: [{url: "https://example.org", date: 2026-01-01}]
        """,
    )
    with pytest.raises(DataError) as info:
        chips.load_catalog([path])
    assert str(info.value) == (
        f"{path}: aliases: chip 'toy-3': name 'h100 sxm' is already used by chip 'h100-sxm' (names "
        "are compared ignoring case, spaces, '-', '_', '.' and parentheses); every alias must be unique"
    )


def test_comma_in_a_name_is_a_data_error(tmp_path):
    path = write(tmp_path, USER_CHIP.replace("aliases: [Toy 1]", "aliases: ['Toy 1, rev B']"))
    with pytest.raises(DataError, match="contains a comma"):
        chips.load_catalog([path])


@pytest.mark.parametrize(
    "text, message",
    [
        ("chips: [", "not valid YAML"),
        ("- id: x", "expected a mapping with a 'chips' list"),
        ("chips: []\nextra: 1", "unknown top-level keys ['extra']; allowed: chips, shared"),
        ("chips:\n  - just a string", "chips[0]: each chip must be a mapping, got str"),
    ],
)
def test_malformed_user_file(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(DataError) as info:
        chips.load_catalog([path])
    assert message in str(info.value)
    assert str(info.value).startswith(str(path))


def test_missing_user_file(tmp_path):
    with pytest.raises(DataError, match="cannot read the chip catalog"):
        chips.load_catalog([tmp_path / "nope.yaml"])
