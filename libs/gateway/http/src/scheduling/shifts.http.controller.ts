import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { SCHEDULING_PATTERNS } from '@custodian/scheduling/contracts';
import { Authenticated, Requires } from '../auth/route-access.decorator';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { SchedulingClient } from './scheduling.client';
import {
  AssignCleanerRequestDto,
  AssignmentParamsDto,
  CancelShiftRequestDto,
  ListShiftsQueryDto,
  RescheduleShiftRequestDto,
  ScheduleShiftsRequestDto,
  ScheduleShiftsResponseDto,
  ShiftDto,
  ShiftPageDto,
  ShiftParamsDto,
  TimeRangeQueryDto,
} from './scheduling.dto';

const NOT_FOUND = 'Absent, in another tenant, or at a location outside your scope (indistinguishable)';

/** Shifts and their cleaners (module `scheduling`, scoped by location). */
@ApiTags('shifts')
@ApiBearerAuth('access-token')
@ApiSecurity('api-key')
@ApiResponse({ status: 401, type: ErrorResponseDto })
@ApiResponse({ status: 403, type: ErrorResponseDto })
@Controller('v1')
export class ShiftsHttpController {
  constructor(private readonly scheduling: SchedulingClient) {}

  @Post('shifts')
  @HttpCode(201)
  @Requires('scheduling', 'write')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Recommended: a retry completes a half-done schedule instead of leaving bookings behind' })
  @ApiOperation({ summary: 'Schedule a shift (or a weekly series) against the latest checklist version, optionally with cleaners' })
  @ApiResponse({ status: 201, type: ScheduleShiftsResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'end_before_start, unknown_timezone, shift_too_long, nonexistent_local_time, cleaner_lacks_location_access' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'location_not_found, checklist_not_found, cleaner_not_found' })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'cleaner_double_booked' })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'starts_in_the_past' })
  schedule(@Body() body: ScheduleShiftsRequestDto, @Req() req: FastifyRequest): Promise<ScheduleShiftsResponseDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.scheduleShifts, { ...body, ...(body.cleanerIds ? { cleanerIds: [...body.cleanerIds] } : {}) }, requestMeta(req));
  }

  @Get('shifts')
  @Requires('scheduling', 'read')
  @ApiOperation({ summary: 'Shifts in your locations overlapping [from, to), by start time' })
  @ApiResponse({ status: 200, type: ShiftPageDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'locationId outside your scope' })
  list(@Query() query: ListShiftsQueryDto, @Req() req: FastifyRequest): Promise<ShiftPageDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.listShifts, { ...query }, requestMeta(req));
  }

  @Get('shifts/:id')
  @Requires('scheduling', 'read')
  @ApiOperation({ summary: 'One shift' })
  @ApiResponse({ status: 200, type: ShiftDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  get(@Param() params: ShiftParamsDto, @Req() req: FastifyRequest): Promise<ShiftDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.getShift, { shiftId: params.id }, requestMeta(req));
  }

  @Post('shifts/:id/assignments')
  @HttpCode(200)
  @Requires('scheduling', 'write')
  @ApiOperation({ summary: 'Assign a cleaner (records:write at the location; never double-booked)' })
  @ApiResponse({ status: 200, type: ShiftDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'cleaner_double_booked' })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'shift_ended, shift_cancelled' })
  assign(@Param() params: ShiftParamsDto, @Body() body: AssignCleanerRequestDto, @Req() req: FastifyRequest): Promise<ShiftDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.assignCleaner, { shiftId: params.id, cleanerId: body.cleanerId }, requestMeta(req));
  }

  @Delete('shifts/:id/assignments/:userId')
  @Requires('scheduling', 'write')
  @ApiOperation({ summary: 'Unassign a cleaner before the shift starts (idempotent)' })
  @ApiResponse({ status: 200, type: ShiftDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'shift_started' })
  unassign(@Param() params: AssignmentParamsDto, @Req() req: FastifyRequest): Promise<ShiftDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.unassignCleaner, { shiftId: params.id, cleanerId: params.userId }, requestMeta(req));
  }

  @Post('shifts/:id/reschedule')
  @HttpCode(200)
  @Requires('scheduling', 'write')
  @ApiOperation({ summary: 'Move a shift that has not started (its cleaners move with it, or nothing moves)' })
  @ApiResponse({ status: 200, type: ShiftDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'cleaner_double_booked' })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'shift_started, shift_cancelled, starts_in_the_past' })
  reschedule(@Param() params: ShiftParamsDto, @Body() body: RescheduleShiftRequestDto, @Req() req: FastifyRequest): Promise<ShiftDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.rescheduleShift, { shiftId: params.id, start: body.start, end: body.end }, requestMeta(req));
  }

  @Post('shifts/:id/cancel')
  @HttpCode(200)
  @Requires('scheduling', 'write')
  @ApiOperation({ summary: 'Cancel a shift that has not started, with a reason (idempotent); its cleaners are freed' })
  @ApiResponse({ status: 200, type: ShiftDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'shift_started' })
  cancel(@Param() params: ShiftParamsDto, @Body() body: CancelShiftRequestDto, @Req() req: FastifyRequest): Promise<ShiftDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.cancelShift, { shiftId: params.id, reason: body.reason }, requestMeta(req));
  }

  @Get('me/shifts')
  @Authenticated()
  @ApiOperation({ summary: 'Your own shifts as a cleaner, by start time' })
  @ApiResponse({ status: 200, type: ShiftPageDto })
  mine(@Query() query: TimeRangeQueryDto, @Req() req: FastifyRequest): Promise<ShiftPageDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.myShifts, { ...query }, requestMeta(req));
  }
}
