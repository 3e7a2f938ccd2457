"""`tv.show(batch)` for a batch from a real DataLoader: one ready view per tensor part, under its label.

In JupyterLab the batch is a heading and a view per part, one output after another; in marimo (where ipywidgets
containers do not render) it is one column of headings and views. Read through the stable hooks and visible text.
"""

from __future__ import annotations

import hosts
import lab
import pytest

DATASET = '''
import torch
import tensorviz as tv
from torch.utils.data import DataLoader, Dataset

class Bars(Dataset):
    """Tiny grey images with a bright bar in row `label`."""
    def __len__(self):
        return 12
    def __getitem__(self, i):
        label = i % 4
        image = torch.full((1, 4, 6), 0.1)
        image[0, label] = 1.0
        return image, label

class Named(Bars):
    def __getitem__(self, i):
        image, label = super().__getitem__(i)
        return {"image": image, "label": label, "name": f"bar-{i}.png"}

loader = DataLoader(Bars(), batch_size=8)
named = DataLoader(Named(), batch_size=3)
print("ok")
'''


def outputs(output) -> list[str]:
    """Each output of a cell, in order: "view" for a TensorView, else the text it shows."""
    return [
        "view" if item.locator(lab.TENSOR_VIEW).count() else item.inner_text().strip()
        for item in output.locator(".jp-OutputArea-output").all()
    ]


@pytest.fixture(scope="module")
def nb(page):
    nb = lab.open_notebook(page, "batch.ipynb")
    assert lab.run_print(page, DATASET.strip()) == "ok"
    return nb


def test_images_and_labels_from_a_dataloader_show_as_two_ready_views_labeled_0_and_1(page, nb):
    out = lab.run_cell(page, "images, labels = batch = next(iter(loader))\ntv.show(batch)")
    lab.find_widget(out)
    assert outputs(out) == ["0", "view", "1", "view"]
    views = out.locator(lab.TENSOR_VIEW)
    for i in range(views.count()):
        views.nth(i).scroll_into_view_if_needed()  # a view fetches its values once visible
        lab.wait_ready(views.nth(i))
    assert "float32 tensor of shape [8, 1, 4, 6]" in (views.nth(0).get_attribute("aria-label") or "")
    assert "int64 tensor of shape [8]" in (views.nth(1).get_attribute("aria-label") or "")
    lab.screenshot(out, "batch-images-labels")


def test_a_dict_batch_is_labeled_by_key_with_its_names_as_text(page, nb):
    out = lab.run_cell(page, 'tv.show(next(iter(named)), dims={"image": "N C H W", "label": "N"})')
    lab.find_widget(out)
    assert outputs(out) == ["image", "view", "label", "view", "name ['bar-0.png', 'bar-1.png', 'bar-2.png']"]
    views = out.locator(lab.TENSOR_VIEW)
    for i in range(views.count()):
        views.nth(i).scroll_into_view_if_needed()  # a view fetches its values once visible
        lab.wait_ready(views.nth(i))
    assert hosts.shows_size(views.nth(0).locator('[data-axis="0"]').first.inner_text(), 3)
    assert "N" in views.nth(0).locator('[data-axis="0"]').first.inner_text()


# -- marimo ---------------------------------------------------------------------------------------------------------

MARIMO_CELLS = [
    DATASET.replace('print("ok")', ""),
    "tv.show(next(iter(loader)))",
    'import marimo as mo\nmo.plain_text("ALL CELLS RAN")',
]


@pytest.fixture(scope="module")
def marimo_page(browser, tmp_path_factory):
    base = tmp_path_factory.mktemp("marimo-batch")
    server = hosts.start_marimo(base, "batch_app.py", MARIMO_CELLS)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    lab.attach(pg, server)
    try:
        hosts.open_marimo(pg, until='pre:has-text("ALL CELLS RAN")')
        yield pg
    finally:
        context.close()
        server.stop()


def test_in_marimo_a_batch_shows_two_ready_views_under_their_labels(marimo_page):
    page = marimo_page
    views = page.locator(lab.TENSOR_VIEW)  # marimo mounts widgets in shadow roots: locators reach them
    views.nth(1).wait_for(state="attached")
    assert views.count() == 2
    for i in range(2):
        views.nth(i).scroll_into_view_if_needed()  # a view fetches its values once visible
        lab.wait_ready(views.nth(i))
    assert "shape [8, 1, 4, 6]" in (views.nth(0).get_attribute("aria-label") or "")
    assert "shape [8]" in (views.nth(1).get_attribute("aria-label") or "")
    # each heading comes right before its view, in page order
    items = page.locator(f".tensorviz-batch-label, {lab.TENSOR_VIEW}").all()
    order = ["view" if item.get_attribute("data-widget") else item.inner_text().strip() for item in items]
    assert order == ["0", "view", "1", "view"]
    lab.screenshot(page, "marimo-batch")
