"""REST responses as GraphQL selections: a response model's fields are GraphQL fields
of the same names, so the model itself says what to select."""

from __future__ import annotations

import functools
import types
import typing
from typing import Any, Union

from pydantic import BaseModel


@functools.cache
def selection(model: type[BaseModel]) -> str:
    """The model's fields as a GraphQL selection set, in the model's order: what the
    compiler builds is then the model's JSON, key for key."""
    fields = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        nested = _model_in(info.annotation)
        fields.append(f"{key} {selection(nested)}" if nested else key)
    return "{ " + " ".join(fields) + " }"


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The response model an annotation holds, through lists and optionals."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, Union, types.UnionType):
        for argument in typing.get_args(annotation):
            found = _model_in(argument)
            if found is not None:
                return found
    return None
