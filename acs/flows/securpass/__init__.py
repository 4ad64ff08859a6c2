"""Sécur'Pass flows: enrolment, the device's signed calls, operations approved or refused."""
