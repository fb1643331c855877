//! The outcome of an incremental parse.

/// What a parser made of the bytes received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<T> {
    /// The message is not complete yet: read more and parse the longer buffer again.
    Incomplete,
    /// A whole message, which took the first `used` bytes of the buffer.
    Done {
        /// The message.
        msg: T,
        /// How many bytes of the buffer it took; the rest belong to what follows.
        used: usize,
    },
}

impl<T> Parsed<T> {
    /// The message and its length, if complete.
    pub fn done(self) -> Option<(T, usize)> {
        match self {
            Parsed::Incomplete => None,
            Parsed::Done { msg, used } => Some((msg, used)),
        }
    }

    /// Applies `f` to the message, keeping the length.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Parsed<U> {
        match self {
            Parsed::Incomplete => Parsed::Incomplete,
            Parsed::Done { msg, used } => Parsed::Done { msg: f(msg), used },
        }
    }

    /// The same outcome for a message that starts `offset` bytes into the buffer.
    pub(crate) fn shift(self, offset: usize) -> Parsed<T> {
        match self {
            Parsed::Incomplete => Parsed::Incomplete,
            Parsed::Done { msg, used } => Parsed::Done {
                msg,
                used: used + offset,
            },
        }
    }
}
