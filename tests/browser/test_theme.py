"""The view follows JupyterLab's theme: switched to JupyterLab Dark, it is drawn light-on-dark."""

from __future__ import annotations

import lab


def _luminance(css_color: str) -> float:
    parts = css_color[css_color.index("(") + 1 : css_color.index(")")].split(",")
    r, g, b = (float(p) / 255 for p in parts[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _pick_theme(page, name: str, light: bool) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu-itemLabel", has_text=name).first.click()
    page.wait_for_function(
        f"() => document.body.getAttribute('data-jp-theme-light') === '{str(light).lower()}'", timeout=30_000
    )


def _colors(root) -> tuple[str, str]:
    return root.evaluate(
        """el => {
            let node = el, bg = 'rgba(0, 0, 0, 0)';
            while (node && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
                bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
            }
            return [bg, getComputedStyle(el).color];
        }"""
    )


def test_dark_theme_draws_light_text_on_a_dark_background(page):
    lab.open_notebook(page, "theme.ipynb")
    out = lab.run_cell(page, "import torch, tensorviz as tv\ntv.show(torch.randn(3, 4, 5), dims='D R C')")
    root = lab.find_widget(out)
    lab.wait_ready(root)
    light_bg, light_fg = _colors(root)
    assert _luminance(light_bg) > 0.7 and _luminance(light_fg) < 0.4, (light_bg, light_fg)
    try:
        _pick_theme(page, "JupyterLab Dark", light=False)
        page.wait_for_timeout(300)  # let the canvas redraw with the new colors
        dark_bg, dark_fg = _colors(root)
        lab.screenshot(root, "theme-dark")
        assert _luminance(dark_bg) < 0.3, f"background stays light in the dark theme: {dark_bg}"
        assert _luminance(dark_fg) > 0.6, f"text stays dark in the dark theme: {dark_fg}"
        label = root.locator('[data-axis="0"]').first
        assert _luminance(label.evaluate("el => getComputedStyle(el).color || getComputedStyle(el).fill")) > 0.2
    finally:
        _pick_theme(page, "JupyterLab Light", light=True)
