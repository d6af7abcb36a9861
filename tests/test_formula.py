"""The expression tree behind formula() and legend(): values and parentheses."""

from __future__ import annotations

from golden import evaluate

from lstm_params._formula import Product, Quantity, Sum, add, mul


def test_values_and_renderings_agree() -> None:
    units, inputs = Quantity("units", 200), Quantity("input_dim", 4096)
    cell = mul(Quantity("gates", 4), mul(add(units, inputs, Quantity("biases", 1)), units))
    assert cell.render(symbolic=False) == "4 * ((200 + 4096 + 1) * 200)"  # the user's formula
    assert cell.render(symbolic=True) == "gates * ((units + input_dim + biases) * units)"
    assert cell.value == evaluate(cell.render(symbolic=False)) == 3437600
    total = add(cell, mul(Quantity("3", 3), units))
    assert isinstance(total, Sum)
    assert total.value == evaluate(total.render(symbolic=False)) == 3437600 + 600


def test_single_terms_stand_alone_and_sums_flatten() -> None:
    one = Quantity("units", 7)
    assert add(one) is one
    assert mul(one) is one
    nested = add(add(one, one), one)
    assert nested == Sum((one, one, one))
    assert nested.render(symbolic=False) == "7 + 7 + 7"
    assert isinstance(mul(one, one), Product)
