// Umbrella header for the tether:: runtime: Context, WaitGroup, Channel<T>,
// select, Group and the leak report. See docs/runtime.md.
#ifndef TETHER_TETHER_H
#define TETHER_TETHER_H

#include "tether/channel.h"
#include "tether/context.h"
#include "tether/group.h"
#include "tether/leak.h"
#include "tether/select.h"
#include "tether/wait_group.h"

#endif  // TETHER_TETHER_H
