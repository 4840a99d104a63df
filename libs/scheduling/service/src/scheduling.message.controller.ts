import { Controller, Inject, type LoggerService } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { ServiceRequest } from '@custodian/kernel';
import { SERVICE_LOGGER, serve } from '@custodian/platform';
import {
  SCHEDULING_PATTERNS,
  type AddAreaRequest,
  type AssignmentRequest,
  type CancelShiftRequest,
  type ChecklistRef,
  type CreateChecklistRequest,
  type CreateLocationRequest,
  type IssueScanPointRequest,
  type ListChecklistsRequest,
  type ListLocationsRequest,
  type ListShiftsRequest,
  type LocationRef,
  type MyShiftsRequest,
  type RescheduleShiftRequest,
  type ReviseChecklistRequest,
  type RotateScanPointRequest,
  type ScheduleShiftsRequest,
  type ShiftRef,
} from '@custodian/scheduling/contracts';
import { SchedulingService } from './scheduling.service';

/** The scheduling service's message patterns (gateway → scheduling over TCP). */
@Controller()
export class SchedulingMessageController {
  constructor(
    private readonly service: SchedulingService,
    @Inject(SERVICE_LOGGER) private readonly logger: LoggerService,
  ) {}

  @MessagePattern(SCHEDULING_PATTERNS.health)
  health(@Payload() r: ServiceRequest<Record<string, never>>) {
    return serve(SCHEDULING_PATTERNS.health, r, this.logger, () => this.service.health());
  }

  @MessagePattern(SCHEDULING_PATTERNS.createLocation)
  createLocation(@Payload() r: ServiceRequest<CreateLocationRequest>) {
    return serve(SCHEDULING_PATTERNS.createLocation, r, this.logger, (q) => this.service.locations.create(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.listLocations)
  listLocations(@Payload() r: ServiceRequest<ListLocationsRequest>) {
    return serve(SCHEDULING_PATTERNS.listLocations, r, this.logger, (q) => this.service.locations.list(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.getLocation)
  getLocation(@Payload() r: ServiceRequest<LocationRef>) {
    return serve(SCHEDULING_PATTERNS.getLocation, r, this.logger, (q) => this.service.locations.get(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.addArea)
  addArea(@Payload() r: ServiceRequest<AddAreaRequest>) {
    return serve(SCHEDULING_PATTERNS.addArea, r, this.logger, (q) => this.service.locations.addArea(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.issueScanPoint)
  issueScanPoint(@Payload() r: ServiceRequest<IssueScanPointRequest>) {
    return serve(SCHEDULING_PATTERNS.issueScanPoint, r, this.logger, (q) => this.service.locations.issueScanPoint(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.rotateScanPoint)
  rotateScanPoint(@Payload() r: ServiceRequest<RotateScanPointRequest>) {
    return serve(SCHEDULING_PATTERNS.rotateScanPoint, r, this.logger, (q) => this.service.locations.rotateScanPoint(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.createChecklist)
  createChecklist(@Payload() r: ServiceRequest<CreateChecklistRequest>) {
    return serve(SCHEDULING_PATTERNS.createChecklist, r, this.logger, (q) => this.service.checklists.create(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.reviseChecklist)
  reviseChecklist(@Payload() r: ServiceRequest<ReviseChecklistRequest>) {
    return serve(SCHEDULING_PATTERNS.reviseChecklist, r, this.logger, (q) => this.service.checklists.revise(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.getChecklist)
  getChecklist(@Payload() r: ServiceRequest<ChecklistRef>) {
    return serve(SCHEDULING_PATTERNS.getChecklist, r, this.logger, (q) => this.service.checklists.get(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.listChecklists)
  listChecklists(@Payload() r: ServiceRequest<ListChecklistsRequest>) {
    return serve(SCHEDULING_PATTERNS.listChecklists, r, this.logger, (q) => this.service.checklists.list(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.scheduleShifts)
  scheduleShifts(@Payload() r: ServiceRequest<ScheduleShiftsRequest>) {
    return serve(SCHEDULING_PATTERNS.scheduleShifts, r, this.logger, (q) => this.service.shifts.schedule(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.getShift)
  getShift(@Payload() r: ServiceRequest<ShiftRef>) {
    return serve(SCHEDULING_PATTERNS.getShift, r, this.logger, (q) => this.service.shiftQueries.get(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.listShifts)
  listShifts(@Payload() r: ServiceRequest<ListShiftsRequest>) {
    return serve(SCHEDULING_PATTERNS.listShifts, r, this.logger, (q) => this.service.shiftQueries.list(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.myShifts)
  myShifts(@Payload() r: ServiceRequest<MyShiftsRequest>) {
    return serve(SCHEDULING_PATTERNS.myShifts, r, this.logger, (q) => this.service.shiftQueries.mine(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.assignCleaner)
  assignCleaner(@Payload() r: ServiceRequest<AssignmentRequest>) {
    return serve(SCHEDULING_PATTERNS.assignCleaner, r, this.logger, (q) => this.service.shifts.assign(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.unassignCleaner)
  unassignCleaner(@Payload() r: ServiceRequest<AssignmentRequest>) {
    return serve(SCHEDULING_PATTERNS.unassignCleaner, r, this.logger, (q) => this.service.shifts.unassign(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.rescheduleShift)
  rescheduleShift(@Payload() r: ServiceRequest<RescheduleShiftRequest>) {
    return serve(SCHEDULING_PATTERNS.rescheduleShift, r, this.logger, (q) => this.service.shifts.reschedule(q));
  }

  @MessagePattern(SCHEDULING_PATTERNS.cancelShift)
  cancelShift(@Payload() r: ServiceRequest<CancelShiftRequest>) {
    return serve(SCHEDULING_PATTERNS.cancelShift, r, this.logger, (q) => this.service.shifts.cancel(q));
  }
}
