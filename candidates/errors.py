"""The candidates app's domain errors: the message is for people."""


class CandidateError(Exception):
    """A change to a candidate's file that the rules do not allow. Nothing was changed."""


class EmailAlreadyRegistered(CandidateError):
    pass


class StatusTransitionError(CandidateError):
    """The file's status cannot go from where it is to where it was asked (services.status)."""


class ProposalError(CandidateError):
    """A territory proposal the rules do not allow; `code` says which rule (tests and callers
    match on it, never on the sentence)."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code
