"""Rendering adapter: message texts (data) + jinja2 + Babel -> SMS, email and App IO content."""

from lgnet_notifications.rendering.catalogue import MessageTexts, TemplateCatalogue, load_rule_table
from lgnet_notifications.rendering.renderer import (
    AppIoContent,
    EmailContent,
    InvalidVariableError,
    MessageTooLongError,
    MissingVariableError,
    RenderedMessage,
    Renderer,
    RenderError,
    SmsContent,
    TemplateNotFoundError,
    render,
)

__all__ = [
    "AppIoContent",
    "EmailContent",
    "InvalidVariableError",
    "MessageTexts",
    "MessageTooLongError",
    "MissingVariableError",
    "RenderError",
    "RenderedMessage",
    "Renderer",
    "SmsContent",
    "TemplateCatalogue",
    "TemplateNotFoundError",
    "load_rule_table",
    "render",
]
