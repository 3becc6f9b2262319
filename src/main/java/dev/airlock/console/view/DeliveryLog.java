package dev.airlock.console.view;

import dev.airlock.notifications.Delivery;
import dev.airlock.notifications.Destination;
import java.util.List;

/** The delivery log (admins): each destination's state, and the most recent deliveries, newest first. */
public record DeliveryLog(String done, List<Destination> destinations, List<Delivery> deliveries) {}
