//! The functions a profile names: one small integer per function symbol the run entered,
//! plus the pseudo-functions for code without a symbol and for signal delivery.

use crate::kernel::signal::signal_name;
use crate::loader::layout::SIGRETURN_TRAMPOLINE;
use crate::mem::PAGE_SIZE;
use crate::symbols::Symbols;
use std::collections::HashMap;

/// Index of a function in [`Functions`].
pub type FuncId = u32;

/// Code without a symbol.
pub const UNKNOWN: FuncId = 0;
/// The page signal handlers return through.
pub const SIGRETURN: FuncId = 1;
/// Marks where frames deeper than the depth limit were left out.
pub const ELIDED: FuncId = 2;

/// What a [`FuncId`] stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FuncKind {
    /// A function symbol: its name and address range `[start, end)`.
    Symbol { name: String, start: u64, end: u64 },
    /// Code at addresses no symbol covers.
    Unknown,
    /// The signal return trampoline.
    Sigreturn,
    /// The delivery of signal `sig`: the frame under a handler.
    Signal(u32),
    /// Frames left out between the depth limit and the innermost frames.
    Elided,
}

/// The function table of one run, filled as code is reached. Ids are handed out in the
/// order functions are first met, so they are the same for identical runs.
pub struct Functions {
    symbols: Symbols,
    /// Recent answers of [`Functions::at`], by pc: calls go to the same entries again and again.
    recent: Box<[(u64, Placed)]>,
    kinds: Vec<FuncKind>,
    by_start: HashMap<u64, FuncId>,
    signals: HashMap<u32, FuncId>,
}

/// The function containing some pc, and the range over which that answer holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    pub func: FuncId,
    pub start: u64,
    pub end: u64,
}

impl Placed {
    const NOWHERE: Placed = Placed {
        func: UNKNOWN,
        start: 0,
        end: 0,
    };
}

/// Entries of [`Functions::at`]'s cache.
const RECENT: usize = 4096;

impl Functions {
    pub fn new(symbols: Symbols) -> Functions {
        Functions {
            symbols,
            recent: vec![(u64::MAX, Placed::NOWHERE); RECENT].into_boxed_slice(),
            kinds: vec![FuncKind::Unknown, FuncKind::Sigreturn, FuncKind::Elided],
            by_start: HashMap::new(),
            signals: HashMap::new(),
        }
    }

    /// The function containing `pc`.
    #[inline]
    pub fn at(&mut self, pc: u64) -> Placed {
        let slot = (pc >> 1) as usize % RECENT;
        let (seen, placed) = self.recent[slot];
        if seen == pc {
            return placed;
        }
        let placed = self.look_up(pc);
        self.recent[slot] = (pc, placed);
        placed
    }

    fn look_up(&mut self, pc: u64) -> Placed {
        if let Some((start, end, name)) = self.symbols.function_at(pc) {
            let kinds = &mut self.kinds;
            let func = *self.by_start.entry(start).or_insert_with(|| {
                kinds.push(FuncKind::Symbol {
                    name: name.to_string(),
                    start,
                    end,
                });
                (kinds.len() - 1) as FuncId
            });
            return Placed { func, start, end };
        }
        if is_trampoline(pc) {
            return Placed {
                func: SIGRETURN,
                start: SIGRETURN_TRAMPOLINE,
                end: SIGRETURN_TRAMPOLINE + PAGE_SIZE,
            };
        }
        // Only this pc is known to be outside every symbol.
        Placed {
            func: UNKNOWN,
            start: pc,
            end: pc + 1,
        }
    }

    /// The address range of a function symbol.
    pub fn range(&self, func: FuncId) -> Option<(u64, u64)> {
        match self.kinds[func as usize] {
            FuncKind::Symbol { start, end, .. } => Some((start, end)),
            _ => None,
        }
    }

    /// The pseudo-function under the handler of signal `sig`.
    pub fn signal(&mut self, sig: u32) -> FuncId {
        let kinds = &mut self.kinds;
        *self.signals.entry(sig).or_insert_with(|| {
            kinds.push(FuncKind::Signal(sig));
            (kinds.len() - 1) as FuncId
        })
    }

    /// True for the pseudo-function of a signal delivery.
    pub fn is_signal(&self, func: FuncId) -> bool {
        matches!(self.kinds[func as usize], FuncKind::Signal(_))
    }

    /// True when code of `func` covers `pc`: a return to `pc` lands in a frame of `func`.
    /// A signal delivery covers the trampoline, where its handler returns to.
    pub fn contains(&self, func: FuncId, pc: u64) -> bool {
        match &self.kinds[func as usize] {
            FuncKind::Symbol { start, end, .. } => (*start..*end).contains(&pc),
            FuncKind::Unknown => self.symbols.function_at(pc).is_none() && !is_trampoline(pc),
            FuncKind::Sigreturn | FuncKind::Signal(_) => is_trampoline(pc),
            FuncKind::Elided => false,
        }
    }

    /// True when `pc` is the first instruction of a function symbol.
    pub fn is_entry(&self, pc: u64) -> bool {
        self.symbols.is_entry(pc)
    }

    /// What `func` is.
    pub fn kind(&self, func: FuncId) -> &FuncKind {
        &self.kinds[func as usize]
    }

    /// The name a profile shows for `func`.
    pub fn name(&self, func: FuncId) -> String {
        match &self.kinds[func as usize] {
            FuncKind::Symbol { name, .. } => name.clone(),
            FuncKind::Unknown => "[unknown]".to_string(),
            FuncKind::Sigreturn => "[sigreturn]".to_string(),
            FuncKind::Signal(sig) => format!("[signal {}]", signal_name(*sig)),
            FuncKind::Elided => "[...]".to_string(),
        }
    }
}

fn is_trampoline(pc: u64) -> bool {
    (SIGRETURN_TRAMPOLINE..SIGRETURN_TRAMPOLINE + PAGE_SIZE).contains(&pc)
}
