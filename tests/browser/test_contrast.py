"""The menu reads at WCAG AA contrast (4.5:1) for every link, active or not, as the browser
draws it."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTRAST = """(element) => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const channel = (c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const nav = rgb(getComputedStyle(element.closest('nav')).backgroundColor);
  const [r, g, b, a = 1] = rgb(getComputedStyle(element).color);
  const seen = [r, g, b].map((c, i) => c * a + nav[i] * (1 - a));
  const [light, dark] = [luminance(seen), luminance(nav)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}"""


def test_every_menu_link_reads_at_4_5_to_1(page, log_in):
    log_in("somchai", role="staff")
    links = page.locator("nav .nav-link, nav .navbar-text")
    assert links.count() >= 6
    ratios = {
        links.nth(i).inner_text(): links.nth(i).evaluate(CONTRAST) for i in range(links.count())
    }
    assert {name: ratio for name, ratio in ratios.items() if ratio < 4.5} == {}
