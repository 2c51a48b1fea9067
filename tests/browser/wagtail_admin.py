"""What a person does in the Wagtail admin, in its Russian labels, for the browser tests."""

import re

from playwright.sync_api import Page, expect


def log_in(page: Page, user, password: str) -> None:
    """Log in through the admin's login form and land on the dashboard."""
    page.goto("/admin/login/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def page_action(page: Page, name: str | re.Pattern) -> None:
    """Click an action of the page editor's footer that sits behind «Больше действий»."""
    page.get_by_role("button", name="Больше действий").click()
    page.get_by_role("button", name=name, exact=True).click()


def publish(page: Page) -> None:
    page_action(page, "Опубликовать")


def submit_for_moderation(page: Page) -> None:
    """«Отправить в "<workflow>"»: an enterprise's way to publish."""
    page_action(page, re.compile(r"^Отправить в "))


def resubmit(page: Page) -> None:
    """After a rejection: «Resubmit to <task>», which Wagtail's Russian calls «Обновить …»."""
    page_action(page, re.compile(r"^Обновить "))
