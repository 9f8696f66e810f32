"""People's names as Japanese forms write them: family name first."""


def person_name(user, separator: str = " ") -> str:
    """姓 名 of a user (the username when neither is set)."""
    name = separator.join(part for part in (user.last_name.strip(), user.first_name.strip()) if part)
    return name or user.get_username()
