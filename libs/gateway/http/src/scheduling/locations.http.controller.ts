import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { SCHEDULING_PATTERNS } from '@custodian/scheduling/contracts';
import { Requires } from '../auth/route-access.decorator';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { SchedulingClient } from './scheduling.client';
import { AddAreaRequestDto, AreaDto, AreaParamsDto, CreateLocationRequestDto, IssueScanPointRequestDto, LocationDto, LocationPageDto, LocationParamsDto, PageQueryDto, ScanPointDto, ScanPointParamsDto } from './scheduling.dto';

const NOT_FOUND = 'Absent, in another tenant, or outside your scheduling locations (indistinguishable)';

/** Client sites with their areas and scan points (module `scheduling`, scoped by location). */
@ApiTags('locations')
@ApiBearerAuth('access-token')
@ApiSecurity('api-key')
@ApiResponse({ status: 401, type: ErrorResponseDto })
@ApiResponse({ status: 403, type: ErrorResponseDto, description: 'The caller lacks the scheduling access this route needs' })
@Controller('v1/locations')
export class LocationsHttpController {
  constructor(private readonly scheduling: SchedulingClient) {}

  @Post()
  @HttpCode(201)
  @Requires('scheduling', 'manage')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Register a client site (scheduling:manage on all locations)' })
  @ApiResponse({ status: 201, type: LocationDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Invalid body; unknown_timezone' })
  create(@Body() body: CreateLocationRequestDto, @Req() req: FastifyRequest): Promise<LocationDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.createLocation, { ...body, geofence: { ...body.geofence } }, requestMeta(req));
  }

  @Get()
  @Requires('scheduling', 'read')
  @ApiOperation({ summary: 'Locations in your scope, oldest first (no totals)' })
  @ApiResponse({ status: 200, type: LocationPageDto })
  list(@Query() query: PageQueryDto, @Req() req: FastifyRequest): Promise<LocationPageDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.listLocations, { ...query }, requestMeta(req));
  }

  @Get(':id')
  @Requires('scheduling', 'read')
  @ApiOperation({ summary: 'One location with its areas and scan points' })
  @ApiResponse({ status: 200, type: LocationDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  get(@Param() params: LocationParamsDto, @Req() req: FastifyRequest): Promise<LocationDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.getLocation, { locationId: params.id }, requestMeta(req));
  }

  @Post(':id/areas')
  @HttpCode(201)
  @Requires('scheduling', 'manage')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Add an area (its kind is matched against checklists)' })
  @ApiResponse({ status: 201, type: AreaDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'area_exists' })
  addArea(@Param() params: LocationParamsDto, @Body() body: AddAreaRequestDto, @Req() req: FastifyRequest): Promise<AreaDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.addArea, { locationId: params.id, name: body.name, kind: body.kind }, requestMeta(req));
  }

  @Post(':id/areas/:areaId/scan-points')
  @HttpCode(201)
  @Requires('scheduling', 'manage')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Issue a QR or NFC scan point for an area; the platform generates its code' })
  @ApiResponse({ status: 201, type: ScanPointDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  issueScanPoint(@Param() params: AreaParamsDto, @Body() body: IssueScanPointRequestDto, @Req() req: FastifyRequest): Promise<ScanPointDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.issueScanPoint, { locationId: params.id, areaId: params.areaId, method: body.method }, requestMeta(req));
  }

  @Post(':id/areas/:areaId/scan-points/:scanPointId/rotate')
  @HttpCode(200)
  @Requires('scheduling', 'manage')
  @ApiOperation({ summary: 'Give a scan point a new code; the old code stops belonging to the area' })
  @ApiResponse({ status: 200, type: ScanPointDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  rotateScanPoint(@Param() params: ScanPointParamsDto, @Req() req: FastifyRequest): Promise<ScanPointDto> {
    return this.scheduling.send(SCHEDULING_PATTERNS.rotateScanPoint, { locationId: params.id, areaId: params.areaId, scanPointId: params.scanPointId }, requestMeta(req));
  }
}
